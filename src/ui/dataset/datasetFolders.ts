/**
 * Folders holding a `save_to_disk` dataset (dataset_dict.json / dataset_info.json), kept in the
 * `llavaStudio.datasetFolders` context key so the Explorer menu's `resourcePath in …` can offer
 * "Preview Dataset" on them. A folder written in one go (save_to_disk) may reach us as a single
 * "folder created" event, so new folders are looked into, not only new marker files.
 */
import * as vscode from 'vscode';
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, extname, join, sep } from 'node:path';

export const DATASET_FOLDERS_KEY = 'llavaStudio.datasetFolders';
const MARKERS = ['dataset_dict.json', 'dataset_info.json'];
const SKIP = /[\\/](node_modules|\.git)([\\/]|$)/;

const isDatasetFolder = (folder: string): boolean => MARKERS.some((m) => existsSync(join(folder, m)));

/** The folder and its direct subfolders (a DatasetDict's splits) that hold a marker. */
function datasetFoldersAt(folder: string): string[] {
  const found = isDatasetFolder(folder) ? [folder] : [];
  try {
    for (const entry of readdirSync(folder, { withFileTypes: true }).slice(0, 200)) {
      if (entry.isDirectory() && isDatasetFolder(join(folder, entry.name))) found.push(join(folder, entry.name));
    }
  } catch {
    // Not a folder (a file without an extension), or gone already.
  }
  return found;
}

export function trackDatasetFolders(log: (message: string) => void): { folders: () => string[]; disposables: vscode.Disposable[] } {
  const folders = new Set<string>();
  const candidates = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const publish = async (): Promise<void> => {
    const paths = new Set<string>();
    for (const folder of folders) {
      paths.add(folder);
      paths.add(vscode.Uri.file(folder).path); // resourcePath is the fsPath on desktop; the path form covers other hosts
    }
    await vscode.commands.executeCommand('setContext', DATASET_FOLDERS_KEY, [...paths]);
  };
  // Files land a moment after their folder: look a little later, in one batch.
  const later = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      for (const folder of candidates) for (const found of datasetFoldersAt(folder)) folders.add(found);
      candidates.clear();
      void publish();
    }, 400);
  };
  const created = (uri: vscode.Uri): void => {
    if (uri.scheme !== 'file' || SKIP.test(uri.fsPath)) return;
    const name = basename(uri.fsPath);
    if (MARKERS.includes(name)) candidates.add(dirname(uri.fsPath));
    else if (extname(name) === '') candidates.add(uri.fsPath);
    else return;
    later();
  };
  const deleted = (uri: vscode.Uri): void => {
    const gone = MARKERS.includes(basename(uri.fsPath)) ? dirname(uri.fsPath) : uri.fsPath;
    let changed = false;
    for (const folder of folders) {
      if ((folder === gone || folder.startsWith(gone + sep)) && !isDatasetFolder(folder)) changed = folders.delete(folder) || changed;
    }
    if (changed) void publish();
  };
  const scan = async (): Promise<void> => {
    try {
      const found = await vscode.workspace.findFiles(`**/{${MARKERS.join(',')}}`, '**/{node_modules,.git}/**', 5000);
      folders.clear();
      for (const uri of found) if (uri.scheme === 'file') folders.add(dirname(uri.fsPath));
      await publish();
    } catch (error) {
      log(`dataset preview: listing dataset folders failed: ${(error as Error).message}`);
    }
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/*', false, true, false);
  void scan();
  return {
    folders: () => [...folders].sort(),
    disposables: [
      watcher, watcher.onDidCreate(created), watcher.onDidDelete(deleted),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void scan()),
      { dispose: () => clearTimeout(timer) },
    ],
  };
}
