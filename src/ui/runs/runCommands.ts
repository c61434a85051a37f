import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { RunIndex } from '../../core/runs/runIndex';
import { formatSize } from './format';
import { CheckpointNode, RunNode, TagsNode, TagNode, type RunsTreeNode } from './runNodes';
import type { RunsTreeProvider } from './runsTreeProvider';

export interface OpenScalarsOptions {
  tagFilter?: string;
}

export interface RunCommandDeps {
  index: RunIndex;
  tree: RunsTreeProvider;
  treeView: vscode.TreeView<RunsTreeNode>;
  openScalars(runPaths: string[], options?: OpenScalarsOptions): void;
  rescan(): Promise<void>;
  refreshRun(runPath: string): Promise<void>;
}

/** A run path from whatever invoked the command: a tree node, a path string, or a Uri. */
function runPathOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (arg instanceof RunNode) return arg.summary.path;
  if (arg instanceof CheckpointNode || arg instanceof TagsNode || arg instanceof TagNode) return arg.run.path;
  return undefined;
}

function pathOf(arg: unknown): string | undefined {
  if (arg instanceof CheckpointNode) return arg.checkpoint.path;
  return runPathOf(arg);
}

async function pickRuns(index: RunIndex, title: string, canPickMany: boolean): Promise<string[]> {
  const runs = index.summaries();
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('No runs found. A run is a folder with trainer_state.json, checkpoint-*/, run.json or TensorBoard event files.');
    return [];
  }
  const items = runs.map((run) => ({ label: run.name, description: `${run.status}${run.lastStep !== null ? ` · step ${run.lastStep}` : ''}`, detail: run.path, path: run.path }));
  if (canPickMany) {
    const picked = await vscode.window.showQuickPick(items, { title, canPickMany: true, matchOnDetail: true });
    return picked?.map((item) => item.path) ?? [];
  }
  const picked = await vscode.window.showQuickPick(items, { title, matchOnDetail: true });
  return picked ? [picked.path] : [];
}

export function registerRunCommands(deps: RunCommandDeps): vscode.Disposable[] {
  const { index } = deps;
  return [
    vscode.commands.registerCommand('llavaStudio.refreshRuns', () => deps.rescan()),

    vscode.commands.registerCommand('llavaStudio.addRunRoot', async () => {
      const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: true, openLabel: 'Add Run Folder' });
      if (!picked || picked.length === 0) return;
      const config = vscode.workspace.getConfiguration('llavaStudio');
      const roots = new Set(config.get<string[]>('runRoots', []));
      for (const uri of picked) roots.add(uri.fsPath);
      const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await config.update('runRoots', [...roots], target);
    }),

    vscode.commands.registerCommand('llavaStudio.openScalars', async (arg?: unknown, options?: OpenScalarsOptions) => {
      const selected = deps.treeView.selection.filter((node): node is RunNode => node instanceof RunNode).map((node) => node.summary.path);
      const runPath = runPathOf(arg);
      const runs = runPath ? [runPath] : selected.length > 0 ? selected : await pickRuns(index, 'Open Scalars of a run', false);
      if (runs.length > 0) deps.openScalars(runs, options);
    }),

    vscode.commands.registerCommand('llavaStudio.compareRuns', async (arg?: unknown, all?: unknown[]) => {
      let runs = (Array.isArray(all) ? all : arg !== undefined ? [arg] : deps.treeView.selection)
        .map(runPathOf)
        .filter((path): path is string => !!path);
      runs = [...new Set(runs)];
      if (runs.length < 2) runs = await pickRuns(index, 'Compare runs: pick two or more', true);
      if (runs.length > 0) deps.openScalars(runs);
    }),

    vscode.commands.registerCommand('llavaStudio.revealInExplorer', async (arg?: unknown) => {
      const path = pathOf(arg);
      if (!path) return;
      const uri = vscode.Uri.file(path);
      if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
      else await vscode.commands.executeCommand('revealFileInOS', uri);
    }),

    vscode.commands.registerCommand('llavaStudio.copyPath', async (arg?: unknown) => {
      const path = pathOf(arg);
      if (path) await vscode.env.clipboard.writeText(path);
    }),

    vscode.commands.registerCommand('llavaStudio.deleteCheckpoint', async (arg?: unknown) => {
      if (!(arg instanceof CheckpointNode)) return;
      const { run, checkpoint } = arg;
      const current = index.get(run.path) ?? run;
      const name = basename(checkpoint.path);
      const newest = current.checkpoints.reduce((max, c) => Math.max(max, c.step), -Infinity);
      if (current.status === 'live' && (checkpoint.isBest || checkpoint.step === newest)) {
        // The Trainer resumes from the newest and, with load_best_model_at_end, reloads the best.
        void vscode.window.showWarningMessage(`${name} is the ${checkpoint.isBest ? 'best' : 'newest'} checkpoint of a run that is still training: the Trainer may still need it. Stop the run first.`);
        return;
      }
      const warnings: string[] = [];
      if (current.checkpoints.length <= 1) warnings.push('It is the only checkpoint of this run: nothing will be left to resume or chat with.');
      if (checkpoint.isBest) warnings.push('It is the best checkpoint (lowest eval loss).');
      if (current.status === 'live') warnings.push('The run is still writing.');
      const detail = [`${checkpoint.path} (${formatSize(checkpoint.sizeBytes)}) will be moved to the trash.`, ...warnings].join('\n\n');
      const choice = await vscode.window.showWarningMessage(`Delete ${name} of ${current.name}?`, { modal: true, detail }, 'Delete Checkpoint');
      if (choice !== 'Delete Checkpoint') return;
      const uri = vscode.Uri.file(checkpoint.path);
      try {
        await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: true });
      } catch (error) {
        const permanently = await vscode.window.showWarningMessage(
          `${name} could not be moved to the trash (${(error as Error).message}). Delete it permanently?`,
          { modal: true, detail: 'This cannot be undone.' },
          'Delete Permanently',
        );
        if (permanently !== 'Delete Permanently') return;
        await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: false });
      }
      await deps.refreshRun(run.path);
      void vscode.window.showInformationMessage(`Deleted ${name} of ${current.name}.`);
    }),

    vscode.commands.registerCommand('llavaStudio.showRunDetails', async (arg?: unknown) => {
      const runPath = runPathOf(arg);
      if (!runPath) return;
      const uri = vscode.Uri.from({ scheme: RUN_DETAILS_SCHEME, path: `${runPath}/run-details.md` });
      const document = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(document, { preview: true });
    }),
  ];
}

export const RUN_DETAILS_SCHEME = 'llava-studio-run';
