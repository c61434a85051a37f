/**
 * What every LLaVA Studio webview shares: options (bundles and media only, no retained hidden
 * context), the script nonce, the CSP shape and the HTML shell. Pure (no vscode import) so unit tests
 * pin the exact output; each panel's panelHtml.ts names its own title and image sources.
 */
import { randomBytes } from 'node:crypto';

/** Folders a webview may load from: the webview bundles and media, nothing else. */
export function localResourceRoots<U>(extensionRoot: U, join: (base: U, ...parts: string[]) => U): U[] {
  return [join(extensionRoot, 'dist', 'webview'), join(extensionRoot, 'media')];
}

/** One set of webview options for both creating and reviving a panel. */
export function buildWebviewOptions<U>(extensionRoot: U, join: (base: U, ...parts: string[]) => U): { enableScripts: true; localResourceRoots: U[] } {
  return { enableScripts: true, localResourceRoots: localResourceRoots(extensionRoot, join) };
}

/** `createWebviewPanel` options: state survives through setState + the serializer, not a hidden live page. */
export function buildPanelOptions<U>(extensionRoot: U, join: (base: U, ...parts: string[]) => U): { enableScripts: true; localResourceRoots: U[]; retainContextWhenHidden: false } {
  return { ...buildWebviewOptions(extensionRoot, join), retainContextWhenHidden: false };
}

/** 128 random bits, base64: a fresh script nonce for every render. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

/** Nothing fetched from the network, no inline script or style; images from the extension plus `imageSources`. */
export function webviewCsp(cspSource: string, nonce: string, imageSources: string): string {
  return `default-src 'none'; img-src ${cspSource} ${imageSources}; style-src ${cspSource}; font-src ${cspSource}; script-src 'nonce-${nonce}';`;
}

export interface HtmlParts {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  codiconUri: string;
  /** Extra scripts (the browser harness's stub); each gets the nonce. Empty in VS Code. */
  extraScripts?: string[];
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The page of a webview: its CSP, codicons, its stylesheet and its module bundle under the nonce. */
export function renderWebviewHtml(p: HtmlParts, page: { title: string; csp: string }): string {
  const extra = (p.extraScripts ?? []).map((src) => `  <script nonce="${attr(p.nonce)}" src="${attr(src)}"></script>\n`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(page.csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${attr(p.codiconUri)}" id="vscode-codicon-stylesheet">
  <link rel="stylesheet" href="${attr(p.styleUri)}">
  <title>${page.title}</title>
</head>
<body>
  <div id="app"></div>
${extra}  <script type="module" nonce="${attr(p.nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>
`;
}

/** Shown instead of a restored panel whose saved state cannot be read: no scripts at all. */
export function renderUnrestorableHtml(cspSource: string, title: string, message: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${attr(cspSource)};">
  <title>${title}</title>
</head>
<body>
  <p>${message}</p>
</body>
</html>
`;
}
