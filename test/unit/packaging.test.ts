import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// vsce's own matcher and rule: a file ships unless an ignore pattern matches it, and any `!pattern`
// re-includes it whatever its order (node_modules/@vscode/vsce/out/package.js, collectFiles).
const vsceRequire = createRequire(require.resolve('@vscode/vsce/package.json'));
const { minimatch } = vsceRequire('minimatch') as { minimatch: (path: string, pattern: string, options: { dot: boolean }) => boolean };

const lines = readFileSync(join(__dirname, '..', '..', '.vscodeignore'), 'utf8')
  .split(/\r?\n/)
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const ignore = lines.filter((line) => !line.startsWith('!'));
const negate = lines.filter((line) => line.startsWith('!')).map((line) => line.slice(1));

function ships(file: string): boolean {
  const options = { dot: true };
  return !ignore.some((p) => minimatch(file, p, options)) || negate.some((p) => minimatch(file, p, options));
}

describe('.vscodeignore', () => {
  const leftOut = [
    'src/extension.ts',
    'src/core/tfevents/writer.ts',
    'test/unit/smoke.test.ts',
    'test/e2e/run.mjs',
    'test/fixtures/golden/events.out.tfevents.1.host.1.0',
    'bench/run.mjs',
    'webview/scalars/main.ts',
    'scripts/package.mjs',
    'scripts/demo-workspace.ts',
    'dist/extension.js.map',
    'dist/webview/scalars.js.map',
    'node_modules/@node-rs/crc32/index.js.map',
    '.ci/run',
    '.demo-workspace/DEMO-README.md',
    '.mocharc.json',
    'out/e2e-integration/index.js',
    'test-results/e2e/smoke.png',
    'tsconfig.json',
    'esbuild.mjs',
    'native-bin/tests/test_events.py',
    'native-bin/llava_studio_worker/__pycache__/train.cpython-311.pyc',
    'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm',
    'node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64/onnxruntime_binding.node',
    'node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime.dll',
    'node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/libonnxruntime.so.1',
    'node_modules/@node-rs/crc32-linux-x64-musl/crc32.linux-x64-musl.node',
    'node_modules/@img/sharp-linuxmusl-x64/lib/sharp-linuxmusl-x64.node',
    'node_modules/@img/sharp-darwin-arm64/lib/sharp-darwin-arm64.node',
    'node_modules/onnxruntime-node/lib/backend.ts',
    'node_modules/onnxruntime-node/script/install.js',
    'node_modules/@huggingface/transformers/src/models.js',
    'node_modules/@huggingface/transformers/dist/transformers.web.js',
    'node_modules/@huggingface/transformers/dist/transformers.node.min.cjs',
    'node_modules/@huggingface/transformers/dist/ort-wasm-simd-threaded.jsep.mjs',
  ];
  for (const file of leftOut) it(`leaves out ${file}`, () => assert.equal(ships(file), false));

  const shipped = [
    'package.json',
    'README.md',
    'LICENSE',
    'dist/extension.js',
    'dist/cli.js',
    'dist/webview/scalars.js',
    'dist/webview/codicon.ttf',
    'media/llava-studio.svg',
    'native-bin/llava_studio_worker/train.py',
    'native-bin/requirements.txt',
    'node_modules/@node-rs/crc32/index.js',
    'node_modules/@node-rs/crc32-linux-x64-gnu/crc32.linux-x64-gnu.node',
    'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
    'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
    'node_modules/sharp/lib/index.js',
    'node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64.node',
    'node_modules/@img/sharp-libvips-linux-x64/lib/libvips-cpp.so.8.17.3',
    'node_modules/@huggingface/transformers/dist/transformers.node.cjs',
    'node_modules/@huggingface/transformers/dist/transformers.node.mjs',
    'node_modules/onnxruntime-node/dist/index.js',
  ];
  for (const file of shipped) it(`ships ${file}`, () => assert.equal(ships(file), true));
});
