import { stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { isDiscoverablePath, type DiscoverOptions } from '../../core/runs/discover';
import type { RunIndex } from '../../core/runs/runIndex';

/** Files whose change can alter a run's node: its markers, event files, checkpoint contents. */
const RUN_FILES = '**/{trainer_state.json,run.json,trainer_log.jsonl,metrics.csv,hparams.yaml,all_results.json,train_results.json,adapter_config.json,adapter_model.safetensors,events.out.tfevents.*}';
const CHECKPOINT_DIRS = '**/checkpoint-*';
/** A checkpoint folder, or the temporary one HF Trainer renames into place. */
const CHECKPOINT_NAME = /^(tmp-)?checkpoint-/;

export interface RunWatcherEvents {
  runChanged(runPath: string): void;
  runsAddedOrRemoved(): void;
}

/**
 * Watches every root for run files and folds bursts of events (a checkpoint save writes dozens of
 * files) into one refresh per run. Unknown paths trigger a rescan for new runs, and so does a new
 * folder outside known runs: a run copied in with `cp -r` can fill its folder before the OS watch
 * on it exists, so the folder's own creation may be the only event. Refreshes run one at a time.
 * A slow timer also refreshes live runs, since "live" turns into "idle" without any file event.
 */
export class RunWatcher implements vscode.Disposable {
  private watchers: vscode.FileSystemWatcher[] = [];
  private readonly pendingRuns = new Set<string>();
  private rescanPending = false;
  private timer: NodeJS.Timeout | undefined;
  private liveTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly index: RunIndex,
    private readonly events: RunWatcherEvents,
    private readonly discoverOptions: () => DiscoverOptions = () => ({}),
    private readonly debounceMs = 300,
    liveRefreshMs = 30_000,
  ) {
    this.liveTimer = setInterval(() => {
      for (const run of this.index.summaries()) if (run.status === 'live') this.schedule(run.path);
    }, liveRefreshMs);
  }

  watch(roots: vscode.Uri[]): void {
    for (const watcher of this.watchers) watcher.dispose();
    this.watchers = roots.flatMap((root) => {
      const watchers = [RUN_FILES, CHECKPOINT_DIRS].map((glob) => {
        const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, glob));
        const onEvent = (uri: vscode.Uri): void => this.onPath(uri.fsPath);
        watcher.onDidCreate(onEvent);
        watcher.onDidChange(onEvent);
        watcher.onDidDelete(onEvent);
        return watcher;
      });
      // Removing a whole folder reports only the folder, and a folder copied in may report only
      // itself: watch creates and deletes of anything (changes are left to the globs above).
      const structure = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, '**/*'), false, true, false);
      structure.onDidCreate((uri) => void this.onCreated(root.fsPath, uri.fsPath));
      structure.onDidDelete((uri) => this.onDeleted(uri.fsPath));
      return [...watchers, structure];
    });
  }

  /** A new folder where discovery looks, other than a checkpoint's, may be (or hold) a run. */
  async onCreated(root: string, path: string): Promise<void> {
    const run = this.index.runContaining(path);
    const inCheckpoint = run !== undefined && relative(run, path).split(sep).some((part) => CHECKPOINT_NAME.test(part));
    if (inCheckpoint || !isDiscoverablePath(relative(root, path), this.discoverOptions())) return;
    const isFolder = await stat(path).then((s) => s.isDirectory(), () => false);
    if (isFolder) this.scheduleRescan();
  }

  /** A deleted path may be a run folder, or hold several: refresh each run at or below it. */
  onDeleted(path: string): void {
    const below = this.index.summaries().filter((run) => run.path === path || run.path.startsWith(path + sep));
    if (below.length > 0) for (const run of below) this.schedule(run.path);
    else this.onPath(path);
  }

  /** Called for any changed path (also usable by other parts that know a run changed). */
  onPath(path: string): void {
    const run = this.index.runContaining(path);
    if (run) this.schedule(run);
    else this.scheduleRescan();
  }

  schedule(runPath: string): void {
    this.pendingRuns.add(runPath);
    this.arm();
  }

  scheduleRescan(): void {
    this.rescanPending = true;
    this.arm();
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush(), this.debounceMs);
  }

  /** Flushes never overlap: two rescans at once would both add the same new run. */
  private flush(): Promise<void> {
    this.timer = undefined;
    this.flushing = this.flushing.then(() => this.flushNow(), () => this.flushNow());
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    const runs = [...this.pendingRuns];
    this.pendingRuns.clear();
    if (this.rescanPending) {
      this.rescanPending = false;
      const change = await this.index.rescan();
      if (change.added.length > 0 || change.removed.length > 0) this.events.runsAddedOrRemoved();
      for (const run of change.changed) this.events.runChanged(run);
      return;
    }
    for (const run of runs) {
      const before = JSON.stringify(this.index.get(run));
      const after = await this.index.refresh(run);
      if (!after) this.events.runsAddedOrRemoved();
      else if (JSON.stringify(after) !== before) this.events.runChanged(run);
    }
  }

  dispose(): void {
    for (const watcher of this.watchers) watcher.dispose();
    if (this.timer) clearTimeout(this.timer);
    if (this.liveTimer) clearInterval(this.liveTimer);
  }
}
