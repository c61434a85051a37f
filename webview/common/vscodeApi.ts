/// <reference types="vscode-webview" />
import type { WebviewApi } from 'vscode-webview';

export type { WebviewApi };

let api: WebviewApi<unknown> | undefined;

/** `acquireVsCodeApi()` may be called once per page: every module shares this one handle. */
export function vscodeApi(): WebviewApi<unknown> {
  api ??= acquireVsCodeApi();
  return api;
}
