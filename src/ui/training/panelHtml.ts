/**
 * The Fine-tune panel's HTML and CSP (the shared shell and options are in ../webviewHtml); the browser
 * harness serves exactly this page. Images only as data: (the VRAM bar is DOM).
 */
import { renderWebviewHtml, webviewCsp, type HtmlParts } from '../webviewHtml';

export { buildPanelOptions, buildWebviewOptions, makeNonce } from '../webviewHtml';

export const TRAIN_VIEW_TYPE = 'llavaStudio.train';
export const TRAIN_TITLE = 'Fine-tune';

export function trainCsp(cspSource: string, nonce: string): string {
  return webviewCsp(cspSource, nonce, 'data:');
}

export type TrainHtmlParts = HtmlParts;

export function renderTrainHtml(p: TrainHtmlParts): string {
  return renderWebviewHtml(p, { title: TRAIN_TITLE, csp: trainCsp(p.cspSource, p.nonce) });
}
