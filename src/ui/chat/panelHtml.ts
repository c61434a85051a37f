/**
 * The Ask LLaVA panel's HTML and CSP (the shared shell and options are in ../webviewHtml). Images
 * arrive as bytes and are shown through blob: URLs; nothing is fetched from the network.
 */
import { renderWebviewHtml, webviewCsp, type HtmlParts } from '../webviewHtml';

export { buildPanelOptions, buildWebviewOptions, makeNonce } from '../webviewHtml';

export const CHAT_VIEW_TYPE = 'llavaStudio.chat';

export function chatCsp(cspSource: string, nonce: string): string {
  return webviewCsp(cspSource, nonce, 'blob: data:');
}

export type ChatHtmlParts = HtmlParts;

export function renderChatHtml(p: ChatHtmlParts): string {
  return renderWebviewHtml(p, { title: 'Ask LLaVA', csp: chatCsp(p.cspSource, p.nonce) });
}

/** "Ask LLaVA: red.png" (the first image), or plain "Ask LLaVA". */
export function chatTitle(imageName: string | null): string {
  return imageName ? `Ask LLaVA: ${imageName}` : 'Ask LLaVA';
}
