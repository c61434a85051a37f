/** Largest smoothing weight the UI offers; 1 would freeze the line at its first value. */
export const MAX_SMOOTHING = 0.999;

/** Clamps a smoothing weight into [0, 0.999]; non-numbers become 0. */
export function clampSmoothing(weight: number): number {
  if (!Number.isFinite(weight) || weight <= 0) return 0;
  return Math.min(weight, MAX_SMOOTHING);
}

/**
 * TensorBoard's debiased exponential moving average (vz_line_chart2 `resmoothDataset`):
 * `last = last * w + (1 - w) * v`, divided by `1 - w^k` where k counts the finite values so far.
 * Non-finite values pass through unsmoothed and do not advance k; a constant series is returned
 * as is (TensorBoard does the same, to avoid rounding wobble on flat lines).
 */
export function emaSmooth(values: ArrayLike<number>, weight: number, out?: Float64Array): Float64Array {
  const n = values.length;
  const result = out && out.length >= n ? out.subarray(0, n) : new Float64Array(n);
  const w = clampSmoothing(weight);
  if (w === 0 || isConstant(values)) {
    for (let i = 0; i < n; i++) result[i] = values[i]!;
    return result;
  }
  let last = 0;
  let numAccum = 0;
  let debiased = false;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      result[i] = v;
      continue;
    }
    last = last * w + (1 - w) * v;
    numAccum++;
    if (debiased) {
      result[i] = last;
      continue;
    }
    const bias = Math.pow(w, numAccum);
    // Once w^k < 2^-60, 1 - w^k rounds to exactly 1: skip the pow for the rest of the line.
    if (bias < 2 ** -60) debiased = true;
    result[i] = last / (1 - bias);
  }
  return result;
}

function isConstant(values: ArrayLike<number>): boolean {
  const first = values[0];
  for (let i = 1; i < values.length; i++) {
    // `!==` like TensorBoard's `==`: NaN never equals itself, so a NaN makes the series non-constant.
    if (values[i] !== first) return false;
  }
  return true;
}
