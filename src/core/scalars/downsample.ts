/** Maps a stored x (step or wall seconds) to the drawn x: `(x - offset) / div`. */
export interface XMap {
  offset: number;
  div: number;
}

export const IDENTITY_X: XMap = { offset: 0, div: 1 };

export interface DownsampleRange {
  /** Drawn-x range that the buckets (pixel columns) cover. */
  from: number;
  to: number;
  buckets: number;
}

export interface Downsampled {
  /** Kept indices into the input, ascending. */
  indices: Uint32Array;
  /** How many points the input had ("showing indices.length of total"). */
  total: number;
}

/**
 * Min/max per bucket over x, for drawing: keeps the lowest and highest finite value of every
 * pixel column, one non-finite point per column (so gaps stay visible), the nearest point on
 * either side of the range (so a zoomed line runs off the edges), and always the first and last
 * point. O(n), works on unsorted x too; at most `2 * buckets + 4` indices.
 */
export function downsampleMinMax(xs: ArrayLike<number>, ys: ArrayLike<number>, range: DownsampleRange, map: XMap = IDENTITY_X): Downsampled {
  const n = Math.min(xs.length, ys.length);
  const buckets = Math.max(1, Math.floor(range.buckets));
  if (n <= 2 * buckets + 2) return { indices: iota(n), total: n };
  const minIdx = new Int32Array(buckets).fill(-1);
  const maxIdx = new Int32Array(buckets).fill(-1);
  const oddIdx = new Int32Array(buckets).fill(-1);
  let before = -1;
  let beforeX = -Infinity;
  let after = -1;
  let afterX = Infinity;
  const span = range.to - range.from;
  const scale = span > 0 ? buckets / span : 0;
  for (let i = 0; i < n; i++) {
    const x = (xs[i]! - map.offset) / map.div;
    if (x < range.from) {
      if (x >= beforeX) { beforeX = x; before = i; }
      continue;
    }
    if (x > range.to) {
      if (x < afterX) { afterX = x; after = i; }
      continue;
    }
    const b = Math.min(buckets - 1, Math.floor((x - range.from) * scale));
    const y = ys[i]!;
    if (!Number.isFinite(y)) {
      if (oddIdx[b] === -1) oddIdx[b] = i;
      continue;
    }
    const lo = minIdx[b]!;
    if (lo === -1 || y < ys[lo]!) minIdx[b] = i;
    const hi = maxIdx[b]!;
    if (hi === -1 || y > ys[hi]!) maxIdx[b] = i;
  }
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  if (before >= 0) keep[before] = 1;
  if (after >= 0) keep[after] = 1;
  for (let b = 0; b < buckets; b++) {
    if (minIdx[b]! >= 0) keep[minIdx[b]!] = 1;
    if (maxIdx[b]! >= 0) keep[maxIdx[b]!] = 1;
    if (oddIdx[b]! >= 0) keep[oddIdx[b]!] = 1;
  }
  let count = 0;
  for (let i = 0; i < n; i++) count += keep[i]!;
  const indices = new Uint32Array(count);
  for (let i = 0, j = 0; i < n; i++) if (keep[i]) indices[j++] = i;
  return { indices, total: n };
}

/** A raw min/max band: for every bucket with finite values, its low and high at its first and last x. */
export interface Envelope {
  x: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
}

/** O(n) min/max band over buckets of drawn x; points outside the range are ignored. */
export function minMaxEnvelope(xs: ArrayLike<number>, ys: ArrayLike<number>, range: DownsampleRange, map: XMap = IDENTITY_X): Envelope {
  const n = Math.min(xs.length, ys.length);
  const buckets = Math.max(1, Math.floor(range.buckets));
  const first = new Float64Array(buckets).fill(NaN);
  const last = new Float64Array(buckets).fill(NaN);
  const lo = new Float64Array(buckets).fill(Infinity);
  const hi = new Float64Array(buckets).fill(-Infinity);
  const span = range.to - range.from;
  const scale = span > 0 ? buckets / span : 0;
  for (let i = 0; i < n; i++) {
    const x = (xs[i]! - map.offset) / map.div;
    const y = ys[i]!;
    if (!(x >= range.from && x <= range.to) || !Number.isFinite(y)) continue;
    const b = Math.min(buckets - 1, Math.floor((x - range.from) * scale));
    if (Number.isNaN(first[b]!) || x < first[b]!) first[b] = x;
    if (Number.isNaN(last[b]!) || x > last[b]!) last[b] = x;
    if (y < lo[b]!) lo[b] = y;
    if (y > hi[b]!) hi[b] = y;
  }
  const out = { x: new Float64Array(2 * buckets), lo: new Float64Array(2 * buckets), hi: new Float64Array(2 * buckets) };
  let j = 0;
  const push = (x: number, b: number): void => {
    out.x[j] = x;
    out.lo[j] = lo[b]!;
    out.hi[j] = hi[b]!;
    j++;
  };
  for (let b = 0; b < buckets; b++) {
    if (Number.isNaN(first[b]!)) continue;
    push(first[b]!, b);
    if (last[b]! > first[b]!) push(last[b]!, b);
  }
  return { x: out.x.subarray(0, j), lo: out.lo.subarray(0, j), hi: out.hi.subarray(0, j) };
}

function iota(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
