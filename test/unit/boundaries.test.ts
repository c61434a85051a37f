import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

describe('architecture boundaries', () => {
  it('src/core never imports vscode or the UI layer', () => {
    const offenders = sources('src/core').flatMap((file) =>
      imports(file).filter((spec) => spec === 'vscode' || /\/ui\//.test(spec)).map((spec) => `${relative(root, file)} → ${spec}`));
    assert.deepEqual(offenders, []);
  });

  it('src/protocol imports neither vscode nor node', () => {
    const offenders = sources('src/protocol').flatMap((file) =>
      imports(file).filter((spec) => spec === 'vscode' || spec.startsWith('node:')).map((spec) => `${relative(root, file)} → ${spec}`));
    assert.deepEqual(offenders, []);
  });

  it('webviews import no node built-ins, no vscode, and from src only protocol and pure core/scalars', () => {
    const offenders = sources('webview').flatMap((file) =>
      imports(file)
        .filter((spec) => spec === 'vscode' || spec.startsWith('node:') || (spec.includes('/src/') && !/\/src\/(protocol|core\/scalars)\//.test(spec)))
        .map((spec) => `${relative(root, file)} → ${spec}`));
    assert.deepEqual(offenders, []);
  });

  it('heavy modules are never imported statically by the host (they load on first use)', () => {
    const heavy = ['sharp', 'onnxruntime-node', '@huggingface/transformers', '@huggingface/hub', 'apache-arrow', 'hyparquet', 'ajv'];
    const offenders = [...sources('src')].flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return heavy.filter((name) => new RegExp(`^import\\s+(?!type\\b)[^;]*from\\s+['"]${name}['"]`, 'm').test(text))
        .map((name) => `${relative(root, file)} → ${name}`);
    });
    assert.deepEqual(offenders, []);
  });
});
