/** Columns that share one x column (e.g. a run's raw and smoothed lines at the same kept points). */
export interface AlignGroup {
  x: ArrayLike<number>;
  ys: readonly ArrayLike<number>[];
}

/**
 * uPlot's aligned data: one x column, and y columns where `undefined` means "this line has no point
 * at this x" (uPlot draws across it) and `null` means a real gap (a NaN/Infinity, or ≤ 0 on a log axis).
 */
export type AlignedColumns = [Float64Array, ...(number | null | undefined)[][]];

/**
 * Joins groups with different x onto the sorted union of their x values. O(u log u) for the union
 * (u = drawn points, a few per pixel column per line) plus O(m log u) to place each group's points.
 */
export function alignColumns(groups: readonly AlignGroup[], options: { log?: boolean } = {}): AlignedColumns {
  const log = options.log ?? false;
  let total = 0;
  for (const g of groups) total += g.x.length;
  const all = new Float64Array(total);
  let k = 0;
  for (const g of groups) for (let i = 0; i < g.x.length; i++) all[k++] = g.x[i]!;
  all.sort();
  let u = 0;
  for (let i = 0; i < total; i++) {
    const x = all[i]!;
    if (!Number.isFinite(x)) continue; // a point without a drawable x is left out
    if (u === 0 || x !== all[u - 1]) all[u++] = x;
  }
  const xs = all.slice(0, u);
  const out: AlignedColumns = [xs];
  for (const g of groups) {
    const columns = g.ys.map(() => new Array<number | null | undefined>(u).fill(undefined));
    for (let i = 0; i < g.x.length; i++) {
      const x = g.x[i]!;
      const at = Number.isFinite(x) ? indexOf(xs, x) : -1;
      if (at < 0) continue;
      g.ys.forEach((y, c) => {
        const v = y[i]!;
        columns[c]![at] = Number.isFinite(v) && (!log || v > 0) ? v : null;
      });
    }
    out.push(...columns);
  }
  return out;
}

function indexOf(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v < x) lo = mid + 1;
    else if (v > x) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/** Index of the point whose x is nearest to `x` in an ascending column; -1 when empty. */
export function nearestIndex(xs: ArrayLike<number>, x: number, map: { offset: number; div: number } = { offset: 0, div: 1 }): number {
  const n = xs.length;
  if (n === 0) return -1;
  const target = x * map.div + map.offset;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(xs[lo - 1]! - target) <= Math.abs(xs[lo]! - target)) return lo - 1;
  return lo;
}
