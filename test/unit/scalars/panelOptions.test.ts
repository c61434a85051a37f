import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildPanelOptions, buildWebviewOptions, makeNonce, panelTitle, renderHtml, scalarsCsp } from '../../../src/ui/scalars/panelHtml';

describe('scalars panel: webview options, CSP and HTML', () => {
  it('createWebviewPanel options: scripts on, only dist/webview and media, no retained hidden context', () => {
    assert.deepEqual(buildPanelOptions('/ext', join), {
      enableScripts: true,
      localResourceRoots: ['/ext/dist/webview', '/ext/media'],
      retainContextWhenHidden: false,
    });
  });

  it('revive uses the same webview options', () => {
    const { retainContextWhenHidden, ...panel } = buildPanelOptions('/ext', join);
    assert.equal(retainContextWhenHidden, false);
    assert.deepEqual(buildWebviewOptions('/ext', join), panel);
  });

  it('CSP is exactly the narrow policy', () => {
    assert.equal(
      scalarsCsp('https://x.vscode-cdn.net', 'abc123=='),
      "default-src 'none'; img-src https://x.vscode-cdn.net data: blob:; style-src https://x.vscode-cdn.net; font-src https://x.vscode-cdn.net; script-src 'nonce-abc123==';",
    );
  });

  const html = renderHtml({
    cspSource: 'https://x.vscode-cdn.net',
    nonce: 'N0nce+/=',
    scriptUri: 'https://x.vscode-cdn.net/dist/webview/scalars.js',
    styleUri: 'https://x.vscode-cdn.net/dist/webview/scalars.css',
    codiconUri: 'https://x.vscode-cdn.net/dist/webview/codicon.css',
  });

  it('puts the CSP in a meta tag', () => {
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
    assert.ok(meta);
    assert.equal(meta[1], scalarsCsp('https://x.vscode-cdn.net', 'N0nce+/='));
  });

  it('has no inline script, no unsafe-*, no style attribute, and every script carries the nonce', () => {
    assert.doesNotMatch(html, /unsafe-inline|unsafe-eval/);
    assert.doesNotMatch(html, /\sstyle="/);
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    for (const [, attrs, body] of scripts) {
      assert.match(attrs!, /nonce="N0nce\+\/="/);
      assert.match(attrs!, /src="https:\/\/x\.vscode-cdn\.net\/dist\/webview\/scalars\.js"/);
      assert.equal(body!.trim(), '');
    }
  });

  it('links codicon.css with the id vscode-elements looks for', () => {
    assert.match(html, /<link rel="stylesheet" href="https:\/\/x\.vscode-cdn\.net\/dist\/webview\/codicon\.css" id="vscode-codicon-stylesheet">/);
  });

  it('escapes attribute values', () => {
    const evil = renderHtml({ cspSource: 'a', nonce: 'n', scriptUri: '"><script>alert(1)</script>', styleUri: 's', codiconUri: 'c' });
    assert.doesNotMatch(evil, /<script>alert/);
  });

  it('makes a fresh 128-bit nonce each time', () => {
    const a = makeNonce();
    const b = makeNonce();
    assert.notEqual(a, b);
    assert.equal(Buffer.from(a, 'base64').length, 16);
  });

  it('titles the panel by run name or count', () => {
    assert.equal(panelTitle([{ name: 'llava-lora-r16' }]), 'Scalars: llava-lora-r16');
    assert.equal(panelTitle([{ name: 'a' }, { name: 'b' }, { name: 'c' }]), 'Scalars: 3 runs');
  });
});
