import { basename } from 'node:path';
import { GrowableSeries } from '../../core/scalars/columns';
import type { RunScalars, RunScalarsUpdate, RunSummary } from '../../core/runs/types';
import type { ScalarSeries } from '../../core/tfevents/types';
import type { ScalarsRun, SeriesData } from '../../protocol/scalars';

/** What the panel needs to know about a run besides its scalars (from the run index). */
export type ScalarsRunInfo = Pick<RunSummary, 'path' | 'name' | 'status' | 'eventFiles'>;

function growable(s: ScalarSeries): GrowableSeries {
  return GrowableSeries.from(Float64Array.from(s.step), Float64Array.from(s.wall), Float64Array.from(s.value));
}

function seriesData(run: string, tag: string, s: GrowableSeries): SeriesData {
  // slice(): compact copies, so a message never drags a grown buffer's spare capacity along.
  return { run, tag, step: s.step.slice(), wall: s.wall.slice(), value: s.value.slice() };
}

/** The host's copy of one run's scalars: full resolution, for the webview's init and for exports. */
export class RunData {
  readonly series = new Map<string, GrowableSeries>();
  texts: { tag: string; text: string }[] = [];
  damage: ScalarsRun['damage'] = [];
  origin: ScalarsRun['origin'] = 'pending';
  error: string | null = null;

  constructor(readonly id: string) {}

  /** Applies a source update; returns what to tell the webview (nothing when nothing changed). */
  apply(update: RunScalarsUpdate): { kind: 'none' } | { kind: 'append'; series: SeriesData[]; textsChanged: boolean } | { kind: 'replace'; series: SeriesData[] } {
    this.error = null;
    if (update.kind === 'none') {
      if (this.origin === 'pending') this.origin = 'none';
      return { kind: 'none' };
    }
    if (update.kind === 'replace') {
      this.replace(update.scalars);
      return { kind: 'replace', series: this.allSeries() };
    }
    const out: SeriesData[] = [];
    for (const [tag, points] of update.series) {
      if (points.step.length === 0) continue;
      const existing = this.series.get(tag);
      if (existing) existing.append(points.step, points.wall, points.value);
      else this.series.set(tag, growable(points));
      out.push({ run: this.id, tag, step: Float64Array.from(points.step), wall: Float64Array.from(points.wall), value: Float64Array.from(points.value) });
    }
    const textsChanged = this.addTexts(update.texts);
    return { kind: 'append', series: out, textsChanged };
  }

  allSeries(): SeriesData[] {
    return [...this.series].map(([tag, s]) => seriesData(this.id, tag, s));
  }

  describe(info: ScalarsRunInfo | undefined): ScalarsRun {
    return {
      id: this.id,
      name: info?.name ?? basename(this.id),
      status: info?.status ?? 'unknown',
      texts: this.texts,
      damage: this.damage,
      origin: this.origin,
      eventFiles: info?.eventFiles.length ?? 0,
      error: this.error,
    };
  }

  private replace(scalars: RunScalars): void {
    this.series.clear();
    for (const [tag, s] of scalars.series) if (s.step.length > 0) this.series.set(tag, growable(s));
    this.texts = [];
    this.addTexts(scalars.texts);
    this.damage = scalars.damage.map((d) => ({ file: d.file, offset: d.damage.offset, reason: d.damage.reason }));
    this.origin = scalars.origin;
  }

  /** Keeps one copy of each (tag, text): a resumed run writes its args again. */
  private addTexts(texts: readonly { tag: string; text: string }[]): boolean {
    let changed = false;
    for (const t of texts) {
      if (this.texts.some((x) => x.tag === t.tag && x.text === t.text)) continue;
      this.texts.push({ tag: t.tag, text: t.text });
      changed = true;
    }
    return changed;
  }
}
