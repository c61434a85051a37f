import { alignColumns, type AlignGroup, type AlignedColumns } from './align';
import { downsampleMinMax, minMaxEnvelope, type XMap } from './downsample';

export type XAxisKind = 'step' | 'relative' | 'wall';

/** One run's line on a card: raw columns and, when smoothing is on, the smoothed values. */
export interface CardLine {
  step: Float64Array;
  wall: Float64Array;
  value: Float64Array;
  smoothed: Float64Array | null;
}

export interface CardDataOptions {
  xAxis: XAxisKind;
  /** Plot width in CSS pixels: about two drawn points per pixel column. */
  width: number;
  /** Lines with at most this many points are drawn whole (setting `scalars.maxPointsPerLine`). */
  maxPointsPerLine: number;
  envelope: boolean;
  log: boolean;
  /** Zoomed drawn-x range; null draws whole lines. */
  range: { from: number; to: number } | null;
}

/** Column indices (into `columns`) of one line's parts; -1 where a part is not drawn. */
export interface LineSlots {
  raw: number;
  smooth: number;
  lo: number;
  hi: number;
}

export interface CardData {
  columns: AlignedColumns;
  slots: LineSlots[];
  /** Stored x → drawn x, per line (relative time shifts each run to its own start). */
  xMaps: XMap[];
  /** Unit of the drawn x for `relative` (seconds per unit) and its suffix. */
  relativeUnit: RelativeUnit;
  shown: number;
  total: number;
  downsampled: boolean;
}

export interface RelativeUnit {
  div: number;
  suffix: string;
}

/** A readable unit for relative time spanning `seconds`: s, min, h or d. */
export function relativeUnit(seconds: number): RelativeUnit {
  if (seconds < 120) return { div: 1, suffix: 's' };
  if (seconds < 2 * 3600) return { div: 60, suffix: 'min' };
  if (seconds < 48 * 3600) return { div: 3600, suffix: 'h' };
  return { div: 86400, suffix: 'd' };
}

/**
 * Builds the drawn columns of one card: each line downsampled (min/max per pixel column over its
 * drawn x), its smoothed values taken at the same kept points, an optional raw min/max band, all
 * joined onto one x column. Draw order (= column order): bands, raw lines, smoothed lines.
 */
export function buildCardData(lines: readonly CardLine[], options: CardDataOptions): CardData {
  let span = 0;
  for (const line of lines) if (line.wall.length > 0) span = Math.max(span, line.wall[line.wall.length - 1]! - line.wall[0]!);
  const unit = relativeUnit(span);
  const xMaps = lines.map((line): XMap => (
    options.xAxis === 'relative' ? { offset: line.wall[0] ?? 0, div: unit.div } : { offset: 0, div: 1 }
  ));
  const xOf = (i: number): Float64Array => (options.xAxis === 'step' ? lines[i]!.step : lines[i]!.wall);
  let from = Infinity;
  let to = -Infinity;
  lines.forEach((line, i) => {
    const xs = xOf(i);
    if (xs.length === 0) return;
    const map = xMaps[i]!;
    from = Math.min(from, (xs[0]! - map.offset) / map.div);
    to = Math.max(to, (xs[xs.length - 1]! - map.offset) / map.div);
  });
  const range = options.range ?? { from, to };
  const buckets = Math.max(1, Math.min(Math.round(options.width), Math.floor(options.maxPointsPerLine / 2)));
  const envBuckets = Math.max(1, Math.round(options.width / 3));

  const lineGroups: AlignGroup[] = [];
  const smoothGroups: AlignGroup[] = [];
  const bandGroups: AlignGroup[] = [];
  const hasBand: boolean[] = [];
  let shown = 0;
  let total = 0;
  let downsampled = false;
  lines.forEach((line, i) => {
    const xs = xOf(i);
    const map = xMaps[i]!;
    const n = line.value.length;
    const whole = n <= options.maxPointsPerLine && options.range === null;
    const raw = pick(xs, line.value, map, whole ? null : downsampleMinMax(xs, line.value, { ...range, buckets }, map).indices);
    // The smoothed line gets its own min/max per column: taking it at the raw extremes' indices
    // would make it zigzag with the noise it is meant to hide.
    const smooth = line.smoothed
      ? pick(xs, line.smoothed, map, whole ? null : downsampleMinMax(xs, line.smoothed, { ...range, buckets }, map).indices)
      : null;
    const m = raw.x.length;
    shown += m;
    total += n;
    if (m < n) downsampled = true;
    lineGroups.push({ x: raw.x, ys: [raw.y] });
    if (smooth) smoothGroups.push({ x: smooth.x, ys: [smooth.y] });
    const band = options.envelope && (m < n || line.smoothed !== null);
    hasBand.push(band);
    if (band) {
      const env = minMaxEnvelope(xs, line.value, { ...range, buckets: envBuckets }, map);
      bandGroups.push({ x: env.x, ys: [env.lo, env.hi] });
    }
  });

  const aligned = alignColumns([...bandGroups, ...lineGroups, ...smoothGroups], { log: options.log });
  const [xColumn, ...rest] = aligned;
  const bandCols = rest.slice(0, bandGroups.length * 2);
  const rawCols = rest.slice(bandGroups.length * 2, bandGroups.length * 2 + lineGroups.length);
  const smoothCols = rest.slice(bandGroups.length * 2 + lineGroups.length);
  const columns: AlignedColumns = [xColumn, ...bandCols, ...rawCols, ...smoothCols];
  const slots: LineSlots[] = [];
  let band = 0;
  let smoothAt = 0;
  lines.forEach((line, i) => {
    const b = hasBand[i] ? band++ : -1;
    slots.push({
      lo: b >= 0 ? 1 + 2 * b : -1,
      hi: b >= 0 ? 2 + 2 * b : -1,
      raw: 1 + bandCols.length + i,
      smooth: line.smoothed ? 1 + bandCols.length + rawCols.length + smoothAt++ : -1,
    });
  });
  return { columns, slots, xMaps, relativeUnit: unit, shown, total, downsampled };
}

/** The drawn points of one line: all of them, or the kept indices. */
function pick(xs: Float64Array, ys: Float64Array, map: XMap, indices: Uint32Array | null): { x: Float64Array; y: Float64Array } {
  const m = indices ? indices.length : ys.length;
  const x = new Float64Array(m);
  const y = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const k = indices ? indices[j]! : j;
    x[j] = (xs[k]! - map.offset) / map.div;
    y[j] = ys[k]!;
  }
  return { x, y };
}
