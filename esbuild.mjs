// One build script, two targets: the extension host + CLI (cjs, node20) and one bundle per webview
// (esm, browser). `node esbuild.mjs [--watch] [--production]`.
import * as esbuild from 'esbuild';
import { mkdirSync, copyFileSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** Native or heavy modules: never bundled, loaded from node_modules on first use. */
const hostExternals = [
  'vscode',
  '@node-rs/crc32',
  'sharp',
  'onnxruntime-node',
  '@huggingface/transformers',
  'apache-arrow',
  'hyparquet',
  'hyparquet-compressors',
  '@huggingface/hub',
  'ajv',
];

/** Webview entry points: webview/<name>/main.ts → dist/webview/<name>.js (+ .css when present). */
export const webviews = ['scalars', 'chat', 'train', 'dataset'];

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

const hostOptions = {
  ...common,
  entryPoints: { extension: 'src/extension.ts', cli: 'src/cli.ts' },
  outdir: 'dist',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: hostExternals,
  banner: { js: '' },
  metafile: true,
};

const webviewOptions = {
  ...common,
  entryPoints: Object.fromEntries(webviews.map((name) => [name, `webview/${name}/main.ts`])),
  outdir: 'dist/webview',
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  loader: { '.css': 'css' },
  metafile: true,
};

function copyStatic() {
  mkdirSync('dist/webview', { recursive: true });
  copyFileSync('node_modules/@vscode/codicons/dist/codicon.css', 'dist/webview/codicon.css');
  copyFileSync('node_modules/@vscode/codicons/dist/codicon.ttf', 'dist/webview/codicon.ttf');
}

if (watch) {
  const contexts = [await esbuild.context(hostOptions), await esbuild.context(webviewOptions)];
  copyStatic();
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching src/ and webview/');
} else {
  const [host, views] = await Promise.all([esbuild.build(hostOptions), esbuild.build(webviewOptions)]);
  copyStatic();
  const size = (meta, file) => meta.outputs[file]?.bytes ?? 0;
  const hostKb = (size(host.metafile, 'dist/extension.js') / 1024).toFixed(1);
  console.log(`esbuild: dist/extension.js ${hostKb} KB, dist/cli.js ${(size(host.metafile, 'dist/cli.js') / 1024).toFixed(1)} KB, ${webviews.length} webview bundle(s)`);
  void views;
}
