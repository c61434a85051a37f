/**
 * The Scalars panel's HTML and CSP (the shared shell and options are in ../webviewHtml). PNG export
 * draws through blob: and data: URLs.
 */
import { renderUnrestorableHtml as unrestorable, renderWebviewHtml, webviewCsp, type HtmlParts } from '../webviewHtml';

export { buildPanelOptions, buildWebviewOptions, localResourceRoots, makeNonce, type HtmlParts } from '../webviewHtml';

export const SCALARS_VIEW_TYPE = 'llavaStudio.scalars';

export function scalarsCsp(cspSource: string, nonce: string): string {
  return webviewCsp(cspSource, nonce, 'data: blob:');
}

export function renderHtml(p: HtmlParts): string {
  return renderWebviewHtml(p, { title: 'Scalars', csp: scalarsCsp(p.cspSource, p.nonce) });
}

/** Shown instead of the panel when a restored panel's saved state cannot be read: no scripts at all. */
export function renderUnrestorableHtml(cspSource: string): string {
  return unrestorable(cspSource, 'Scalars', 'This Scalars panel could not be restored. Open Scalars again from a run in the LLaVA Studio Runs view.');
}

/** "Scalars: <run name>" for one run, "Scalars: N runs" for several. */
export function panelTitle(runs: readonly { name: string }[]): string {
  return runs.length === 1 ? `Scalars: ${runs[0]!.name}` : `Scalars: ${runs.length} runs`;
}
