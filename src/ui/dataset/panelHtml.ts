/**
 * The Dataset Preview's webview HTML and CSP: pure functions (no vscode import) so a unit test pins
 * them. Thumbnails and the lightbox arrive as data: URLs made by the host; nothing else is loaded.
 */
export { buildPanelOptions, buildWebviewOptions, makeNonce } from '../scalars/panelHtml';

/** The panel opened by command / explorer menu (restored by the serializer). */
export const DATASET_VIEW_TYPE = 'llavaStudio.dataset';
/** The "Open With… → Dataset Preview" custom editor for .jsonl/.parquet (priority "option"). */
export const DATASET_EDITOR_VIEW_TYPE = 'llavaStudio.datasetPreview';

export function datasetCsp(cspSource: string, nonce: string): string {
  return `default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource}; font-src ${cspSource}; script-src 'nonce-${nonce}';`;
}

export interface DatasetHtmlParts {
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

export function renderDatasetHtml(p: DatasetHtmlParts): string {
  const extra = (p.extraScripts ?? []).map((src) => `  <script nonce="${attr(p.nonce)}" src="${attr(src)}"></script>\n`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(datasetCsp(p.cspSource, p.nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${attr(p.codiconUri)}" id="vscode-codicon-stylesheet">
  <link rel="stylesheet" href="${attr(p.styleUri)}">
  <title>Dataset Preview</title>
</head>
<body>
  <div id="app"></div>
${extra}  <script type="module" nonce="${attr(p.nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>
`;
}

/** Shown when a restored panel's saved state cannot be read: no scripts at all. */
export function renderUnrestorableHtml(cspSource: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${attr(cspSource)};">
  <title>Dataset Preview</title>
</head>
<body>
  <p>This Dataset Preview could not be restored. Open it again with "LLaVA Studio: Preview Dataset" or from the Explorer.</p>
</body>
</html>
`;
}
