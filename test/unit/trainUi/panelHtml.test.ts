import assert from 'node:assert/strict';
import { buildPanelOptions } from '../../../src/ui/training/panelHtml';
import { renderTrainHtml, trainCsp, TRAIN_VIEW_TYPE } from '../../../src/ui/training/panelHtml';

describe('fine-tune panel html', () => {
  it('allows scripts only by nonce, styles and fonts only from the extension, nothing from the network', () => {
    assert.equal(trainCsp('vscode-resource:', 'abc'), "default-src 'none'; img-src vscode-resource: data:; style-src vscode-resource:; font-src vscode-resource:; script-src 'nonce-abc';");
    const html = renderTrainHtml({ cspSource: 'vscode-resource:', nonce: 'n0nce"<', scriptUri: 'r/train.js', styleUri: 'r/train.css', codiconUri: 'r/codicon.css' });
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;|content="default-src 'none'; img-src vscode-resource: data:; style-src vscode-resource:; font-src vscode-resource:; script-src 'nonce-n0nce&quot;&lt;';">/);
    assert.match(html, /<script type="module" nonce="n0nce&quot;&lt;" src="r\/train\.js"><\/script>/);
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'one script, no inline code');
    assert.doesNotMatch(html, /style="/);
  });

  it('loads only from the bundles and media, and keeps no hidden page alive', () => {
    const join = (base: string, ...parts: string[]) => [base, ...parts].join('/');
    assert.deepEqual(buildPanelOptions('/ext', join), { enableScripts: true, localResourceRoots: ['/ext/dist/webview', '/ext/media'], retainContextWhenHidden: false });
    assert.equal(TRAIN_VIEW_TYPE, 'llavaStudio.train');
  });
});
