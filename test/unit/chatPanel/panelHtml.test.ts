import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildPanelOptions, chatCsp, chatTitle, renderChatHtml } from '../../../src/ui/chat/panelHtml';

describe('chat panel: webview options, CSP and HTML', () => {
  it('options: scripts on, only dist/webview and media readable, no retained hidden page', () => {
    assert.deepEqual(buildPanelOptions('/ext', join), { enableScripts: true, localResourceRoots: ['/ext/dist/webview', '/ext/media'], retainContextWhenHidden: false });
  });

  it('CSP is exactly the narrow policy (images only from the extension, blob: and data:)', () => {
    assert.equal(chatCsp('https://x.vscode-cdn.net', 'abc=='), "default-src 'none'; img-src https://x.vscode-cdn.net blob: data:; style-src https://x.vscode-cdn.net; font-src https://x.vscode-cdn.net; script-src 'nonce-abc==';");
  });

  it('one script, with the nonce, no inline code, no unsafe-*, escaped attributes', () => {
    const html = renderChatHtml({ cspSource: 'https://c', nonce: 'N+/=', scriptUri: 'https://c/chat.js', styleUri: 'https://c/chat.css', codiconUri: 'https://c/codicon.css' });
    assert.doesNotMatch(html, /unsafe-inline|unsafe-eval|\sstyle="/);
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0]![1]!, /nonce="N\+\/=" src="https:\/\/c\/chat\.js"/);
    assert.equal(scripts[0]![2]!.trim(), '');
    assert.doesNotMatch(renderChatHtml({ cspSource: 'a', nonce: 'n', scriptUri: '"><script>x</script>', styleUri: 's', codiconUri: 'c' }), /<script>x/);
  });

  it('titles the tab after the first image', () => {
    assert.equal(chatTitle('red.png'), 'Ask LLaVA: red.png');
    assert.equal(chatTitle(null), 'Ask LLaVA');
  });
});
