import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

const section = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('llavaStudio');

/** Workspace folders (file scheme) plus `llavaStudio.runRoots`, absolute and de-duplicated. */
export function runRoots(): string[] {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const base = folders[0] ?? homedir();
  const extra = section().get<string[]>('runRoots', []).map((root) => {
    const expanded = root.startsWith('~') ? join(homedir(), root.slice(1)) : root;
    return isAbsolute(expanded) ? expanded : resolve(base, expanded);
  });
  return [...new Set([...folders, ...extra])];
}

export function discoverOptions(): { maxDepth: number; exclude: string[] } {
  return {
    maxDepth: section().get<number>('runs.maxDepth', 6),
    exclude: section().get<string[]>('runs.exclude', ['node_modules', '.git', '.venv', 'venv', '__pycache__', 'wandb']),
  };
}

export function scalarsSettings(): { maxPointsPerLine: number; defaultSmoothing: number; pollIntervalMs: number } {
  return {
    maxPointsPerLine: section().get<number>('scalars.maxPointsPerLine', 2000),
    defaultSmoothing: section().get<number>('scalars.defaultSmoothing', 0.6),
    pollIntervalMs: section().get<number>('live.pollIntervalMs', 1000),
  };
}
