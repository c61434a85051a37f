import { GrowableSeries } from '../../src/core/scalars/columns';
import { emaSmooth } from '../../src/core/scalars/smoothing';
import type { ScalarsRun, SeriesData } from '../../src/protocol/scalars';

interface SmoothCache {
  version: number;
  weight: number;
  data: Float64Array;
}

/** Every run's raw points per tag (as received, full resolution) and their run metadata. */
export class ScalarsStore {
  readonly runs = new Map<string, ScalarsRun>();
  private readonly series = new Map<string, Map<string, GrowableSeries>>();
  private readonly smoothCache = new Map<GrowableSeries, SmoothCache>();

  clear(): void {
    this.runs.clear();
    this.series.clear();
    this.smoothCache.clear();
  }

  setRuns(runs: readonly ScalarsRun[]): void {
    for (const run of runs) this.runs.set(run.id, run);
  }

  /** Adds points; returns the tags that changed. */
  append(series: readonly SeriesData[]): Set<string> {
    const changed = new Set<string>();
    for (const s of series) {
      let byTag = this.series.get(s.run);
      if (!byTag) this.series.set(s.run, (byTag = new Map()));
      const existing = byTag.get(s.tag);
      if (existing) existing.append(s.step, s.wall, s.value);
      else byTag.set(s.tag, GrowableSeries.from(s.step, s.wall, s.value));
      changed.add(s.tag);
    }
    return changed;
  }

  /** Drops a run's points and uses these instead; returns the tags that changed (old and new). */
  replaceRun(run: string, series: readonly SeriesData[]): Set<string> {
    const old = this.series.get(run);
    const changed = new Set(old ? old.keys() : []);
    if (old) for (const s of old.values()) this.smoothCache.delete(s);
    this.series.delete(run);
    for (const tag of this.append(series)) changed.add(tag);
    return changed;
  }

  get(run: string, tag: string): GrowableSeries | undefined {
    return this.series.get(run)?.get(tag);
  }

  tagsOf(run: string): string[] {
    return [...(this.series.get(run)?.keys() ?? [])];
  }

  allTags(runs: Iterable<string>): Set<string> {
    const tags = new Set<string>();
    for (const run of runs) for (const tag of this.series.get(run)?.keys() ?? []) tags.add(tag);
    return tags;
  }

  pointCount(): number {
    let n = 0;
    for (const byTag of this.series.values()) for (const s of byTag.values()) n += s.length;
    return n;
  }

  /** The smoothed values of a line, recomputed only when its points or the weight changed. */
  smoothed(series: GrowableSeries, weight: number): Float64Array {
    const cached = this.smoothCache.get(series);
    if (cached && cached.version === series.version && cached.weight === weight) return cached.data;
    const data = emaSmooth(series.value, weight, cached?.data.length && cached.data.length >= series.length ? cached.data : undefined);
    this.smoothCache.set(series, { version: series.version, weight, data });
    return data;
  }
}
