/**
 * The Ask LLaVA panel's HTML and CSP: pure functions (no vscode import) so a unit test pins them.
 * Webview options (resource roots, no retained context) are the Scalars panel's: same rules.
 */
export { buildPanelOptions, buildWebviewOptions, makeNonce } from '../scalars/panelHtml';

export const CHAT_VIEW_TYPE = 'llavaStudio.chat';

/** Images arrive as bytes and are shown through blob: URLs; nothing is fetched from the network. */
export function chatCsp(cspSource: string, nonce: string): string {
  return `default-src 'none'; img-src ${cspSource} blob: data:; style-src ${cspSource}; font-src ${cspSource}; script-src 'nonce-${nonce}';`;
}

export interface ChatHtmlParts {
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

export function renderChatHtml(p: ChatHtmlParts): string {
  const extra = (p.extraScripts ?? []).map((src) => `  <script nonce="${attr(p.nonce)}" src="${attr(src)}"></script>\n`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(chatCsp(p.cspSource, p.nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${attr(p.codiconUri)}" id="vscode-codicon-stylesheet">
  <link rel="stylesheet" href="${attr(p.styleUri)}">
  <title>Ask LLaVA</title>
</head>
<body>
  <div id="app"></div>
${extra}  <script type="module" nonce="${attr(p.nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>
`;
}

/** "Ask LLaVA: red.png" (the first image), or plain "Ask LLaVA". */
export function chatTitle(imageName: string | null): string {
  return imageName ? `Ask LLaVA: ${imageName}` : 'Ask LLaVA';
}
