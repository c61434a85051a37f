import * as vscode from 'vscode';
import { RunIndex } from './core/runs/runIndex';
import { openEventTail } from './core/runs/eventTail';
import { registerRunCommands, RUN_DETAILS_SCHEME } from './ui/runs/runCommands';
import { RunDetailsProvider } from './ui/runs/runDetails';
import type { RunsTreeNode } from './ui/runs/runNodes';
import { RunsTreeProvider } from './ui/runs/runsTreeProvider';
import { RunWatcher } from './ui/runs/runWatcher';
import { flushChat, registerChat } from './ui/chat/registerChat';
import { registerDatasetPreview } from './ui/dataset/registerDatasetPreview';
import { registerTraining } from './ui/training/registerTraining';
import { registerScalars } from './ui/scalarsWiring';
import { discoverOptions, runRoots } from './ui/settings';

/** What the extension exposes to its integration tests (and to other extensions). */
export interface LlavaStudioApi {
  runIndex: RunIndex;
  runsTree: RunsTreeProvider;
  /** Resolves when the first scan of the run roots is done. */
  ready: Promise<void>;
}

/** Wires services and registers everything; heavy work (the first scan) runs after activation returns. */
export function activate(context: vscode.ExtensionContext): LlavaStudioApi {
  const index = new RunIndex(runRoots, openEventTail, discoverOptions);
  const tree = new RunsTreeProvider(index);
  const treeView = vscode.window.createTreeView<RunsTreeNode>('llavaStudio.runs', { treeDataProvider: tree, canSelectMany: true, showCollapseAll: true });
  const watcher = new RunWatcher(index, {
    runChanged: (run) => {
      tree.refreshRun(run);
      scalars.poke(run);
    },
    runsAddedOrRemoved: () => tree.refreshAll(),
  }, discoverOptions);
  const output = vscode.window.createOutputChannel('LLaVA Studio', { log: true });
  let firstScan: Promise<void> = Promise.resolve();
  const scalars = registerScalars(context, index, (message) => output.warn(message), () => firstScan);

  const rescan = async (): Promise<void> => {
    const change = await index.rescan();
    if (change.added.length || change.removed.length) tree.refreshAll();
    for (const run of change.changed) tree.refreshRun(run);
  };
  const rewatch = (): void => watcher.watch(runRoots().map((root) => vscode.Uri.file(root)));

  context.subscriptions.push(
    output,
    tree,
    treeView,
    watcher,
    { dispose: () => index.dispose() },
    ...scalars.disposables,
    ...registerChat(context, { log: (message) => output.warn(message) }),
    ...registerDatasetPreview(context, { log: (message) => output.warn(message) }),
    vscode.workspace.registerTextDocumentContentProvider(RUN_DETAILS_SCHEME, new RunDetailsProvider(index)),
    ...registerRunCommands({
      index,
      tree,
      treeView,
      openScalars: (runs, options) => scalars.open(runs, options),
      rescan,
      refreshRun: async (run) => {
        await index.refresh(run);
        tree.refreshRun(run);
      },
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      rewatch();
      void rescan();
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('llavaStudio.runRoots') || event.affectsConfiguration('llavaStudio.runs')) {
        rewatch();
        void rescan();
      }
    }),
  );

  rewatch();
  const ready = rescan().catch((error: unknown) => {
    void vscode.window.showErrorMessage(`LLaVA Studio could not scan for runs: ${(error as Error).message}`);
  });
  firstScan = ready;
  context.subscriptions.push(...registerTraining(context, {
    index,
    // Refresh the run first, then the panels: a panel poked earlier would still show "live" after a stop.
    pokeRun: (runPath) => {
      void index.refresh(runPath).then((summary) => {
        if (summary) tree.refreshRun(runPath);
        else tree.refreshAll();
        scalars.poke(runPath);
      });
    },
    refreshRuns: rescan,
    openScalars: (runPaths) => scalars.open(runPaths),
    log: (message) => output.warn(message),
    ready,
  }));
  return { runIndex: index, runsTree: tree, ready };
}

/** Waits for chat conversations to be saved and chat workers to stop. */
export function deactivate(): Promise<void> {
  return flushChat();
}
