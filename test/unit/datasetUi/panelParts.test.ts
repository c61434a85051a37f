import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Problem } from '../../../src/core/datasets/types';
import { buildPanelOptions, datasetCsp, DATASET_EDITOR_VIEW_TYPE, DATASET_VIEW_TYPE, renderDatasetHtml } from '../../../src/ui/dataset/panelHtml';
import { problemsToDiagnostics } from '../../../src/ui/dataset/problemDiagnostics';
import { formatBytes, resolveSettingPath, sanitizeMaxLength } from '../../../src/ui/dataset/settingsPaths';

describe('dataset preview: panel HTML, diagnostics, settings', () => {
  it('CSP: scripts by nonce only; images from the webview and data: URLs only', () => {
    assert.equal(datasetCsp('https://x.vscode-cdn.net', 'n0nce'),
      "default-src 'none'; img-src https://x.vscode-cdn.net data:; style-src https://x.vscode-cdn.net; font-src https://x.vscode-cdn.net; script-src 'nonce-n0nce';");
    const html = renderDatasetHtml({ cspSource: 'https://c', nonce: 'N"<', scriptUri: 'https://c/dataset.js', styleUri: 'https://c/dataset.css', codiconUri: 'https://c/codicon.css' });
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src https:\/\/c data:;/);
    assert.match(html, /<script type="module" nonce="N&quot;&lt;" src="https:\/\/c\/dataset.js">/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
  });

  it('panel options: narrow resource roots, no hidden live page; two view types', () => {
    assert.deepEqual(buildPanelOptions('/ext', join), { enableScripts: true, localResourceRoots: ['/ext/dist/webview', '/ext/media'], retainContextWhenHidden: false });
    assert.deepEqual([DATASET_VIEW_TYPE, DATASET_EDITOR_VIEW_TYPE], ['llavaStudio.dataset', 'llavaStudio.datasetPreview']);
  });

  it('problems become line diagnostics: errors for what breaks training, warnings for the rest, capped', () => {
    const p = (row: number, code: Problem['code'], line: number | null = row + 2): Problem => ({ row, line, code, message: `${code} here` });
    const out = problemsToDiagnostics([p(0, 'image_missing'), p(1, 'too_long'), p(2, 'invalid_json'), p(3, 'duplicate_id', null)]);
    assert.deepEqual(out, [
      { line: 1, severity: 'error', code: 'image_missing', message: 'row 0: image_missing here' },
      { line: 2, severity: 'warning', code: 'too_long', message: 'row 1: too_long here' },
      { line: 3, severity: 'error', code: 'invalid_json', message: 'row 2: invalid_json here' },
    ], 'a problem without a line (parquet) is left out');
    const many = problemsToDiagnostics(Array.from({ length: 12 }, (_, i) => p(i, 'empty_turn')), 10);
    assert.equal(many.length, 11);
    assert.deepEqual(many[10], { line: 0, severity: 'information', code: 'more_problems', message: '2 more problems not listed here (first 10 shown); the Dataset Preview filters them all' });
  });

  it('setting paths: ~, ${workspaceFolder}, relative to the dataset folder, empty = unset', () => {
    const cases: [string | undefined, string | null][] = [
      [undefined, null], ['', null], ['  ', null],
      ['/abs/images', '/abs/images'], ['images', '/data/set/images'], ['../shared/img', '/data/shared/img'],
      ['~/pics', '/home/u/pics'], ['~', '/home/u'], ['${workspaceFolder}/imgs', '/ws/imgs'],
    ];
    for (const [value, expected] of cases) assert.equal(resolveSettingPath(value, '/data/set', '/home/u', '/ws'), expected, String(value));
  });

  it('max length: a positive integer, else the default 2048', () => {
    assert.deepEqual([4096, 0, -1, 1.5, '8192', undefined, 1e9].map(sanitizeMaxLength), [4096, 2048, 2048, 2048, 2048, 2048, 2048]);
    assert.deepEqual([512, 12_345, 1_073_741_824].map(formatBytes), ['512 B', '12 KB', '1.1 GB']);
  });
});
