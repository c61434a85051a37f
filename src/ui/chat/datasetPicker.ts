import * as vscode from 'vscode';

const LAST_DATASET = 'llavaStudio.chat.lastDatasetFile';

type Item = vscode.QuickPickItem & { path?: string; action?: 'new' | 'browse' };

/**
 * Asks which messages-JSONL file to append to: the last one used in this workspace, the workspace's
 * *.jsonl files, a new file, or any file. Appending never rewrites the file, so picking an existing
 * one is safe (the Save dialog's "replace?" question would be misleading, hence no Save dialog for
 * existing files).
 */
export async function chooseDatasetFile(memory: vscode.Memento): Promise<string | undefined> {
  const last = memory.get<string>(LAST_DATASET);
  const found = await vscode.workspace.findFiles('**/*.jsonl', '{**/node_modules/**,**/.git/**,**/.venv/**}', 200);
  const paths = [...new Set([...(last ? [last] : []), ...found.filter((u) => u.scheme === 'file').map((u) => u.fsPath)])];
  const items: Item[] = [
    ...paths.map((path): Item => ({ label: `$(file) ${vscode.workspace.asRelativePath(path)}`, description: path === last ? 'last used' : undefined, path })),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(new-file) New JSONL file…', action: 'new' },
    { label: '$(folder-opened) Browse…', action: 'browse' },
  ];
  const choice = await vscode.window.showQuickPick(items, { title: 'Add to dataset: append to which messages-JSONL file?', placeHolder: 'The line is appended; nothing in the file is changed', ignoreFocusOut: true });
  if (!choice) return undefined;
  let path = choice.path;
  if (choice.action === 'new') {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, 'chat_samples.jsonl') : undefined, filters: { 'Messages JSONL': ['jsonl'] }, saveLabel: 'Create', title: 'New messages-JSONL dataset' });
    path = uri?.fsPath;
  } else if (choice.action === 'browse') {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Messages JSONL': ['jsonl'] }, openLabel: 'Append here', title: 'Append to which messages-JSONL file?' });
    path = picked?.[0]?.fsPath;
  }
  if (path) await memory.update(LAST_DATASET, path);
  return path;
}
