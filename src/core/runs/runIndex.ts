import { sep } from 'node:path';
import { discoverRunFolders, isRunFolder, runSignals, withoutNestedRuns, type DiscoverOptions, type RunFolder } from './discover';
import { findEventFiles } from './layout';
import { RunScalarsReader, type TailFactory } from './scalarsReader';
import { summarizeRun } from './summarize';
import type { RunScalars, RunSummary } from './types';

export interface RunIndexChange {
  added: string[];
  removed: string[];
  changed: string[];
}

interface Entry {
  folder: RunFolder;
  reader: RunScalarsReader;
  summary: RunSummary;
}

/**
 * The runs under a set of roots, kept current incrementally: `rescan()` finds added/removed run
 * folders, `refresh(run)` re-reads one run (only appended event bytes). Shared by the Runs view
 * and the CLI.
 */
export class RunIndex {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly roots: () => string[],
    private readonly openTail: TailFactory,
    private readonly options: () => DiscoverOptions = () => ({}),
  ) {}

  summaries(): RunSummary[] {
    return [...this.entries.values()].map((entry) => entry.summary).sort((a, b) => a.name.localeCompare(b.name));
  }

  get(runPath: string): RunSummary | undefined {
    return this.entries.get(runPath)?.summary;
  }

  /** Event files of a run, without those of runs nested inside it. */
  readonly listEventFiles = async (runPath: string): Promise<string[]> =>
    withoutNestedRuns(runPath, await findEventFiles(runPath), this.entries.keys());

  /** A new incremental reader of one run's scalars (each Scalars panel has its own). */
  createReader(runPath: string): RunScalarsReader {
    return new RunScalarsReader(runPath, this.openTail, this.listEventFiles);
  }

  /** The run's merged scalars and text summaries as last read. */
  scalars(runPath: string): RunScalars | undefined {
    return this.entries.get(runPath)?.reader.snapshot();
  }

  /** The run folder that contains `file`, if any (deepest match). */
  runContaining(file: string): string | undefined {
    let best: string | undefined;
    for (const runPath of this.entries.keys()) {
      if ((file === runPath || file.startsWith(runPath + sep)) && (!best || runPath.length > best.length)) best = runPath;
    }
    return best;
  }

  async rescan(): Promise<RunIndexChange> {
    const folders = await discoverRunFolders(this.roots(), this.options());
    const seen = new Set(folders.map((folder) => folder.path));
    const change: RunIndexChange = { added: [], removed: [], changed: [] };
    for (const runPath of [...this.entries.keys()]) {
      if (!seen.has(runPath)) {
        this.entries.get(runPath)!.reader.dispose();
        this.entries.delete(runPath);
        change.removed.push(runPath);
      }
    }
    await Promise.all(folders.map(async (folder) => {
      const existing = this.entries.get(folder.path);
      if (existing) {
        existing.folder = folder;
        if (await this.refreshEntry(existing)) change.changed.push(folder.path);
        return;
      }
      const reader = this.createReader(folder.path);
      await reader.update();
      const summary = await summarizeRun(folder, reader.snapshot());
      this.entries.set(folder.path, { folder, reader, summary });
      change.added.push(folder.path);
    }));
    return change;
  }

  /** Re-reads one run; returns its new summary, or null when it is gone (folder deleted or no longer a run). */
  async refresh(runPath: string): Promise<RunSummary | null> {
    const entry = this.entries.get(runPath);
    if (!entry) return null;
    const signals = await runSignals(runPath);
    const eventFiles = await this.listEventFiles(runPath);
    if (!isRunFolder(signals) && eventFiles.length === 0) {
      entry.reader.dispose();
      this.entries.delete(runPath);
      return null;
    }
    entry.folder = { ...entry.folder, signals, eventFiles };
    await this.refreshEntry(entry);
    return entry.summary;
  }

  dispose(): void {
    for (const entry of this.entries.values()) entry.reader.dispose();
    this.entries.clear();
  }

  private async refreshEntry(entry: Entry): Promise<boolean> {
    await entry.reader.update();
    const next = await summarizeRun(entry.folder, entry.reader.snapshot());
    const changed = JSON.stringify(next) !== JSON.stringify(entry.summary);
    entry.summary = next;
    return changed;
  }
}
