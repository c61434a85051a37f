/**
 * activation: cost of loading dist/extension.js and running activate() (against a stub of the vscode
 * module, so this times our code alone), the host bundle size, and whether any heavy module
 * (sharp, onnxruntime, transformers.js, arrow, parquet) got loaded by activation.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { installVscodeStub, Uri } from './support/vscodeStub';

const HEAVY = ['sharp', 'onnxruntime-node', '@huggingface/transformers', '@huggingface/hub', 'apache-arrow', 'hyparquet', 'ajv'];

export async function run(): Promise<Record<string, number>> {
  const root = resolve(__dirname, '..');
  execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, stdio: 'ignore' });
  const bundle = join(root, 'dist/extension.js');
  installVscodeStub(mkdtempSync(join(tmpdir(), 'llava-bench-ws-')));
  const storage = mkdtempSync(join(tmpdir(), 'llava-bench-storage-'));

  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    for (const key of Object.keys(require.cache)) if (key.startsWith(join(root, 'dist'))) delete require.cache[key];
    const memento = { get: () => undefined, update: async () => {}, keys: () => [] };
    const context = {
      subscriptions: [] as { dispose(): void }[],
      extensionUri: Uri.file(root),
      extensionPath: root,
      globalStorageUri: Uri.file(join(storage, 'global')),
      storageUri: Uri.file(join(storage, 'workspace')),
      globalState: memento,
      workspaceState: memento,
      secrets: { get: async () => undefined, store: async () => {}, delete: async () => {}, onDidChange: () => ({ dispose() {} }) },
    };
    const started = performance.now();
    const extension = require(bundle) as { activate(context: unknown): unknown };
    extension.activate(context);
    times.push(performance.now() - started);
    for (const item of context.subscriptions) item.dispose?.();
  }
  await new Promise((r) => setTimeout(r, 200));
  const loaded = Object.keys(require.cache).filter((key) => HEAVY.some((name) => key.includes(`/node_modules/${name}/`)));
  const cold = times[0]!;
  times.sort((a, b) => a - b);
  return {
    activate_ms: Number(times[Math.floor(times.length / 2)]!.toFixed(2)),
    activate_cold_ms: Number(cold.toFixed(2)),
    heavy_modules_at_activation: loaded.length,
    host_bundle_kb: Number((statSync(bundle).size / 1024).toFixed(1)),
  };
}
