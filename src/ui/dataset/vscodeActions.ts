/**
 * The VS Code side of the panel's buttons: open a line, open an image in VS Code's image preview,
 * pick folders, read the dataset settings.
 */
import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { basename, dirname } from 'node:path';
import { statSync } from 'node:fs';
import type { DatasetControllerDeps, DatasetSettings } from './controller';
import { formatBytes, resolveSettingPath, sanitizeMaxLength } from './settingsPaths';

/** Above this VS Code opens a file slowly or refuses it; the user is asked first. */
export const LARGE_FILE_BYTES = 256 * 1024 * 1024;

const section = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('llavaStudio.datasets');
const firstFolder = (): string | undefined => vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;

/** The folder a dataset's relative setting paths start from: the file's folder, or the dataset folder itself. */
export function datasetFolder(path: string): string {
  try {
    return statSync(path).isDirectory() ? path : dirname(path);
  } catch {
    return dirname(path);
  }
}

export function datasetSettings(datasetPath: string): DatasetSettings {
  const s = section();
  const workspace = firstFolder();
  return {
    maxLength: sanitizeMaxLength(s.get<number>('maxLength')),
    modelDir: resolveSettingPath(s.get<string>('tokenizerModel'), workspace ?? homedir(), homedir(), workspace),
    imageRoot: resolveSettingPath(s.get<string>('imageRoot'), datasetFolder(datasetPath), homedir(), workspace),
  };
}

/** Opens `path` with line `line` (1-based) selected; for a very large file, asks first and says what happened. */
export async function openAtLine(path: string, line: number, bytes: number): Promise<boolean> {
  const name = basename(path);
  if (bytes > LARGE_FILE_BYTES) {
    const choice = await vscode.window.showWarningMessage(
      `${name} is ${formatBytes(bytes)}: VS Code may refuse to open a file this large, or take a long time. The row starts at line ${line.toLocaleString('en-US')}.`,
      'Open Anyway', 'Copy Line Number',
    );
    if (choice === 'Copy Line Number') await vscode.env.clipboard.writeText(String(line));
    if (choice !== 'Open Anyway') return false;
  }
  const position = new vscode.Position(line - 1, 0);
  try {
    // vscode.open works from the workbench, so files too big to sync to extensions (> 50 MB) still open.
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path), { selection: new vscode.Range(position, position), preview: true } satisfies vscode.TextDocumentShowOptions);
    return true;
  } catch (error) {
    void vscode.window.showErrorMessage(`VS Code could not open ${name} (${formatBytes(bytes)}): ${(error as Error).message}. The row starts at line ${line.toLocaleString('en-US')}.`);
    return false;
  }
}

export function panelActions(): Omit<DatasetControllerDeps, 'openSession' | 'log'> {
  return {
    settings: datasetSettings,
    openLine: openAtLine,
    openFile: async (path) => { await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path), { preview: true, viewColumn: vscode.ViewColumn.Beside }); },
    openExternal: async (url) => { await vscode.env.openExternal(vscode.Uri.parse(url)); },
    pickFolder: async (title, near) => {
      const picked = await vscode.window.showOpenDialog({
        title, canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Choose', defaultUri: vscode.Uri.file(datasetFolder(near)),
      });
      return picked?.[0]?.fsPath;
    },
  };
}
