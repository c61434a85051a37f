import * as vscode from 'vscode';
import type { ChatSettings } from './targets';

/** Settings the chat reads; every one is in package.json `contributes.configuration`. */
export const CHAT_SETTING_KEYS = {
  onnxModel: 'chat.onnxModel',
  openaiBaseUrl: 'chat.openai.baseUrl',
  openaiModel: 'chat.openai.model',
  python: 'python',
  workerModel: 'chat.workerModel',
} as const;

/** Where the configured OpenAI base URL comes from: a workspace can set it (the key prompt says so). */
export function openaiBaseUrlSource(): 'workspace' | 'user' | 'default' {
  const inspected = vscode.workspace.getConfiguration('llavaStudio').inspect<string>(CHAT_SETTING_KEYS.openaiBaseUrl);
  if (inspected?.workspaceFolderValue !== undefined || inspected?.workspaceValue !== undefined) return 'workspace';
  return inspected?.globalValue !== undefined ? 'user' : 'default';
}

export function chatSettings(): ChatSettings {
  const section = vscode.workspace.getConfiguration('llavaStudio');
  const get = (key: string, fallback: string): string => section.get<string>(key, fallback) ?? fallback;
  return {
    onnxModel: get(CHAT_SETTING_KEYS.onnxModel, ''),
    openaiBaseUrl: get(CHAT_SETTING_KEYS.openaiBaseUrl, ''),
    openaiModel: get(CHAT_SETTING_KEYS.openaiModel, ''),
    python: get(CHAT_SETTING_KEYS.python, 'python3'),
    workerModel: get(CHAT_SETTING_KEYS.workerModel, ''),
  };
}

export function affectsChat(event: vscode.ConfigurationChangeEvent): boolean {
  return event.affectsConfiguration('llavaStudio.chat') || event.affectsConfiguration('llavaStudio.python');
}

/** Writes `llavaStudio.chat.onnxModel` in the user settings (a model is a property of the machine, not the project). */
export async function setOnnxModel(value: string): Promise<void> {
  await vscode.workspace.getConfiguration('llavaStudio').update(CHAT_SETTING_KEYS.onnxModel, value, vscode.ConfigurationTarget.Global);
}
