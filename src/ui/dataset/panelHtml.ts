/**
 * The Dataset Preview's HTML and CSP (the shared shell and options are in ../webviewHtml).
 * Thumbnails and the lightbox arrive as data: URLs made by the host; nothing else is loaded.
 */
import { renderUnrestorableHtml as unrestorable, renderWebviewHtml, webviewCsp, type HtmlParts } from '../webviewHtml';

export { buildPanelOptions, buildWebviewOptions, makeNonce } from '../webviewHtml';

/** The panel opened by command / explorer menu (restored by the serializer). */
export const DATASET_VIEW_TYPE = 'llavaStudio.dataset';
/** The "Open With… → Dataset Preview" custom editor for .jsonl/.parquet (priority "option"). */
export const DATASET_EDITOR_VIEW_TYPE = 'llavaStudio.datasetPreview';

export function datasetCsp(cspSource: string, nonce: string): string {
  return webviewCsp(cspSource, nonce, 'data:');
}

export type DatasetHtmlParts = HtmlParts;

export function renderDatasetHtml(p: DatasetHtmlParts): string {
  return renderWebviewHtml(p, { title: 'Dataset Preview', csp: datasetCsp(p.cspSource, p.nonce) });
}

/** Shown when a restored panel's saved state cannot be read: no scripts at all. */
export function renderUnrestorableHtml(cspSource: string): string {
  return unrestorable(cspSource, 'Dataset Preview', 'This Dataset Preview could not be restored. Open it again with "LLaVA Studio: Preview Dataset" or from the Explorer.');
}
