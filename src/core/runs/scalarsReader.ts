import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventFileDelta, ScalarSeries, TextSummary, Damage } from '../tfevents/types';
import { findEventFiles } from './layout';
import { appendSeries, emptySeries, mergeFiles } from './mergeSeries';
import { lightningCsvSeries } from './lightningCsv';
import { trainerLogSeries } from './trainerLog';
import { logHistorySeries, readTrainerState } from './trainerState';
import type { RunScalars, RunScalarsSource, RunScalarsUpdate } from './types';

/** The part of an incremental event-file reader that this module needs. */
export interface EventTail {
  poll(): Promise<EventFileDelta>;
}
export type TailFactory = (file: string) => EventTail;

interface FileState {
  tail: EventTail;
  series: Map<string, ScalarSeries>;
  texts: TextSummary[];
  damage: Damage | null;
}

/**
 * Incremental scalars of one run folder: all its event files merged (resumed steps de-duplicated),
 * or trainer_state.json's log_history when the run has no scalar events. `update()` reads only
 * bytes appended since the previous call, and says whether points were appended or the whole run
 * must be replaced.
 */
export class RunScalarsReader implements RunScalarsSource {
  private readonly files = new Map<string, FileState>();
  private order: string[] = [];
  private merged = new Map<string, ScalarSeries>();
  private origin: RunScalars['origin'] = 'none';
  private trainerStateKey = '';
  private first = true;

  constructor(
    readonly runPath: string,
    private readonly openTail: TailFactory,
    private readonly listEventFiles: (runPath: string) => Promise<string[]> = findEventFiles,
  ) {}

  async update(): Promise<RunScalarsUpdate> {
    const listed = await this.listEventFiles(this.runPath);
    let replace = this.first;
    this.first = false;
    const appended = new Map<string, ScalarSeries>();
    const newTexts: TextSummary[] = [];

    for (const file of listed) {
      if (!this.files.has(file)) {
        this.files.set(file, { tail: this.openTail(file), series: new Map(), texts: [], damage: null });
        // A file that sorts before an existing one changes the merge order: rebuild.
        if (this.order.length > 0 && listed.indexOf(file) < listed.length - 1) replace = true;
      }
    }
    for (const gone of this.order.filter((file) => !listed.includes(file))) {
      this.files.delete(gone);
      replace = true;
    }
    this.order = listed;

    for (const [index, file] of this.order.entries()) {
      const state = this.files.get(file)!;
      const delta = await state.tail.poll();
      if (delta.reset) {
        state.series = new Map();
        state.texts = [];
        replace = true;
      }
      // Damage found after the first read must reach viewers: a rebuild carries it.
      if (delta.damage && !state.damage) replace = true;
      state.damage = delta.damage;
      state.texts.push(...delta.texts);
      newTexts.push(...delta.texts);
      const isNewest = index === this.order.length - 1;
      for (const [tag, points] of delta.scalars) {
        if (points.step.length === 0) continue;
        let own = state.series.get(tag);
        if (!own) state.series.set(tag, (own = emptySeries()));
        appendSeries(own, points);
        const current = this.merged.get(tag);
        const lastStep = current && current.step.length > 0 ? current.step[current.step.length - 1]! : -Infinity;
        // Plain append only when the newest file continues past what is shown; anything else
        // (an older file growing, a restart at an earlier step) goes through the full merge.
        if (!isNewest || points.step[0]! < lastStep) replace = true;
        else {
          let out = appended.get(tag);
          if (!out) appended.set(tag, (out = emptySeries()));
          appendSeries(out, points);
        }
      }
    }

    const hasEventScalars = [...this.files.values()].some((file) => file.series.size > 0);
    if (!hasEventScalars) {
      const fromState = await this.readTrainerStateIfChanged();
      if (fromState) {
        this.merged = fromState;
        this.origin = 'trainer_state';
        return { kind: 'replace', scalars: this.snapshot() };
      }
      if (this.origin === 'trainer_state') return replace ? { kind: 'replace', scalars: this.snapshot() } : { kind: 'none' };
    } else if (this.origin !== 'events') {
      this.origin = 'events';
      replace = true;
    }

    if (replace) {
      this.merged = mergeFiles(this.order.map((file) => this.files.get(file)!.series));
      return { kind: 'replace', scalars: this.snapshot() };
    }
    if (appended.size === 0 && newTexts.length === 0) return { kind: 'none' };
    for (const [tag, points] of appended) {
      let line = this.merged.get(tag);
      if (!line) this.merged.set(tag, (line = emptySeries()));
      appendSeries(line, points);
    }
    return { kind: 'append', series: appended, texts: newTexts };
  }

  /** The current merged view (shares arrays with the reader; callers must not mutate). */
  snapshot(): RunScalars {
    const damage: RunScalars['damage'] = [];
    const texts: TextSummary[] = [];
    for (const file of this.order) {
      const state = this.files.get(file)!;
      if (state.damage) damage.push({ file, damage: state.damage });
      texts.push(...state.texts);
    }
    return { run: this.runPath, series: this.merged, texts, damage, origin: this.merged.size > 0 ? this.origin : 'none' };
  }

  dispose(): void {
    this.files.clear();
  }

  /**
   * Scalars from the newest of trainer_state.json (top level or newest checkpoint), LLaMA-Factory's
   * trainer_log.jsonl and Lightning's metrics.csv, when that file changed since the last read.
   */
  private async readTrainerStateIfChanged(): Promise<Map<string, ScalarSeries> | null> {
    const file = await newestLogFile(this.runPath);
    if (!file) return null;
    const key = `${file.path}@${file.mtimeMs}`;
    if (key === this.trainerStateKey) return null;
    try {
      const series = file.path.endsWith('.jsonl')
        ? trainerLogSeries(await readFile(file.path, 'utf8')).series
        : file.path.endsWith('.csv')
          ? lightningCsvSeries(await readFile(file.path, 'utf8'))
          : logHistorySeries(await readTrainerState(file.path));
      this.trainerStateKey = key;
      return series;
    } catch {
      return null; // half-written while training saves it: the next update reads it again
    }
  }
}

/** The most recently written of the run's step logs: trainer_state.json (top, newest checkpoint), trainer_log.jsonl or metrics.csv. */
async function newestLogFile(runPath: string): Promise<{ path: string; mtimeMs: number } | null> {
  const candidates = [join(runPath, 'trainer_state.json'), join(runPath, 'trainer_log.jsonl'), join(runPath, 'metrics.csv')];
  const checkpoint = await newestCheckpointState(runPath);
  if (checkpoint) candidates.push(checkpoint.path);
  const stats = await Promise.all(candidates.map(async (path) => {
    try {
      return { path, mtimeMs: (await stat(path)).mtimeMs };
    } catch {
      return null;
    }
  }));
  return stats.filter((s): s is { path: string; mtimeMs: number } => s !== null).sort((a, b) => b.mtimeMs - a.mtimeMs)[0] ?? null;
}

/** trainer_state.json of the highest-numbered checkpoint that has one. */
async function newestCheckpointState(runPath: string): Promise<{ path: string } | null> {
  const checkpoints = (await readdir(runPath).catch(() => [] as string[]))
    .map((name) => /^checkpoint-(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => !!m)
    .sort((a, b) => Number(b[1]) - Number(a[1]));
  for (const match of checkpoints) {
    const path = join(runPath, match[0], 'trainer_state.json');
    if (await stat(path).then(() => true, () => false)) return { path };
  }
  return null;
}
