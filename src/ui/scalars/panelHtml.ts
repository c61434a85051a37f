/**
 * The Scalars panel's webview options, HTML and CSP: pure functions (no vscode import) so a unit test
 * can pin them down exactly.
 */
import { randomBytes } from 'node:crypto';

export const SCALARS_VIEW_TYPE = 'llavaStudio.scalars';

/** Folders the webview may load from: the webview bundles and media, nothing else. */
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

export function scalarsCsp(cspSource: string, nonce: string): string {
  return `default-src 'none'; img-src ${cspSource} data: blob:; style-src ${cspSource}; font-src ${cspSource}; script-src 'nonce-${nonce}';`;
}

export interface HtmlParts {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  codiconUri: string;
  /** Extra scripts (the browser dev harness's stub); each gets the nonce. Empty in VS Code. */
  extraScripts?: string[];
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderHtml(p: HtmlParts): string {
  const extra = (p.extraScripts ?? []).map((src) => `  <script nonce="${attr(p.nonce)}" src="${attr(src)}"></script>\n`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(scalarsCsp(p.cspSource, p.nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${attr(p.codiconUri)}" id="vscode-codicon-stylesheet">
  <link rel="stylesheet" href="${attr(p.styleUri)}">
  <title>Scalars</title>
</head>
<body>
  <div id="app"></div>
${extra}  <script type="module" nonce="${attr(p.nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>
`;
}

/** Shown instead of the panel when a restored panel's saved state cannot be read: no scripts at all. */
export function renderUnrestorableHtml(cspSource: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${attr(cspSource)};">
  <title>Scalars</title>
</head>
<body>
  <p>This Scalars panel could not be restored. Open Scalars again from a run in the LLaVA Studio Runs view.</p>
</body>
</html>
`;
}

/** "Scalars: <run name>" for one run, "Scalars: N runs" for several. */
export function panelTitle(runs: readonly { name: string }[]): string {
  return runs.length === 1 ? `Scalars: ${runs[0]!.name}` : `Scalars: ${runs.length} runs`;
}
