export interface YRange {
  min: number;
  max: number;
}

export interface PercentileOptions {
  /** Lower and upper quantile, 0..1; TensorBoard's "ignore outliers" uses 0.05 and 0.95. */
  lower?: number;
  upper?: number;
  /** Count only values > 0 (for a log-scale axis). */
  positiveOnly?: boolean;
}

/**
 * The [lower, upper] quantile range (linear interpolation, like d3.quantile) over the finite values
 * of all columns; NaN and ±Infinity are ignored. O(n) by quickselect on one copy. Null when no value counts.
 */
export function percentileRange(columns: readonly ArrayLike<number>[], options: PercentileOptions = {}): YRange | null {
  const lower = options.lower ?? 0.05;
  const upper = options.upper ?? 0.95;
  const positiveOnly = options.positiveOnly ?? false;
  let n = 0;
  for (const column of columns) n += column.length;
  const values = new Float64Array(n);
  let count = 0;
  for (const column of columns) {
    for (let i = 0; i < column.length; i++) {
      const v = column[i]!;
      if (Number.isFinite(v) && (!positiveOnly || v > 0)) values[count++] = v;
    }
  }
  if (count === 0) return null;
  const finite = values.subarray(0, count);
  return { min: quantile(finite, lower), max: quantile(finite, upper) };
}

/** Quantile p of `values` (reordered in place), R-7 / d3.quantile interpolation. */
export function quantile(values: Float64Array, p: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * Math.min(1, Math.max(0, p));
  const lo = Math.floor(pos);
  const a = select(values, lo);
  if (lo === pos || lo + 1 >= n) return a;
  // After select(lo), everything right of lo is >= a: the next order statistic is their minimum.
  let b = Infinity;
  for (let i = lo + 1; i < n; i++) if (values[i]! < b) b = values[i]!;
  return a + (b - a) * (pos - lo);
}

/** Hoare quickselect with median-of-three: puts the k-th smallest at index k and returns it. */
function select(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    const mid = (left + right) >>> 1;
    const pivot = median3(a[left]!, a[mid]!, a[right]!);
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!; a[i] = a[j]!; a[j] = t;
        i++; j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k]!;
}

function median3(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
}

/**
 * Pads a y-range for drawing: 5% of the span on each side (TensorBoard's padding), in log10 space
 * for a log axis. A flat or non-positive range still gets a visible, drawable height.
 */
export function paddedRange(range: YRange, log: boolean, padFraction = 0.05): YRange {
  let { min, max } = range;
  if (min > max) [min, max] = [max, min];
  if (log) {
    if (!(max > 0)) return { min: 0.1, max: 10 };
    if (!(min > 0)) min = max / 1000;
    const lo = Math.log10(min);
    const hi = Math.log10(max);
    const pad = hi > lo ? (hi - lo) * padFraction : 0.5;
    return { min: 10 ** (lo - pad), max: 10 ** (hi + pad) };
  }
  if (max > min) {
    const pad = (max - min) * padFraction;
    return { min: min - pad, max: max + pad };
  }
  const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
  return { min: min - pad, max: max + pad };
}

/**
 * Snaps a positive range outward to one significant digit (0.5228 → 0.5, 2.31 → 3): log-axis ticks
 * start at the scale's minimum, so a round minimum gives a round first label.
 */
export function niceLogRange(range: YRange): YRange {
  const down = (v: number): number => {
    const p = 10 ** Math.floor(Math.log10(v));
    return Math.floor(v / p + 1e-9) * p;
  };
  const up = (v: number): number => {
    const p = 10 ** Math.floor(Math.log10(v));
    return Math.ceil(v / p - 1e-9) * p;
  };
  if (!(range.min > 0) || !(range.max > 0)) return range;
  return { min: down(range.min), max: up(range.max) };
}
