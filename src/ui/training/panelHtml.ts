/**
 * The Fine-tune panel's HTML and CSP: pure functions (no vscode import) so a unit test pins them, and
 * the browser harness serves exactly this page. Webview options are the Scalars panel's: same rules
 * (bundles and media only, no retained hidden context).
 */
export { buildPanelOptions, buildWebviewOptions, makeNonce } from '../scalars/panelHtml';

export const TRAIN_VIEW_TYPE = 'llavaStudio.train';
export const TRAIN_TITLE = 'Fine-tune';

/** Nothing is fetched: no network, no inline script or style; images only as data: (the VRAM bar is DOM). */
export function trainCsp(cspSource: string, nonce: string): string {
  return `default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource}; font-src ${cspSource}; script-src 'nonce-${nonce}';`;
}

export interface TrainHtmlParts {
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

export function renderTrainHtml(p: TrainHtmlParts): string {
  const extra = (p.extraScripts ?? []).map((src) => `  <script nonce="${attr(p.nonce)}" src="${attr(src)}"></script>\n`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(trainCsp(p.cspSource, p.nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${attr(p.codiconUri)}" id="vscode-codicon-stylesheet">
  <link rel="stylesheet" href="${attr(p.styleUri)}">
  <title>${TRAIN_TITLE}</title>
</head>
<body>
  <div id="app"></div>
${extra}  <script type="module" nonce="${attr(p.nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>
`;
}
