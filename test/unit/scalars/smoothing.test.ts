import assert from 'node:assert/strict';
import { clampSmoothing, emaSmooth } from '../../../src/core/scalars/smoothing';

/** Hand-computed TensorBoard EMA: last = last*w + (1-w)*v; smoothed = last / (1 - w^k). */
const cases: { name: string; values: number[]; weight: number; expected: number[] }[] = [
  { name: 'weight 0 is the identity', values: [3, 1, 4], weight: 0, expected: [3, 1, 4] },
  { name: 'first point is unbiased', values: [10], weight: 0.6, expected: [10] },
  {
    // last: 0.5*1=0.5 → /0.5 = 1; last: 0.25+0.5*3=1.75 → /0.75 = 2.3333; last: 0.875+0.5*5=3.375 → /0.875 = 3.857142…
    name: 'weight 0.5', values: [1, 3, 5], weight: 0.5, expected: [1, 7 / 3, 27 / 7],
  },
  {
    // w=0.9: last=1 → /0.1 = 10?? no: last = 0.1*10 = 1 → 1/0.1 = 10; last = 0.9 + 0.1*0 = 0.9 → 0.9/0.19
    name: 'weight 0.9', values: [10, 0], weight: 0.9, expected: [10, 0.9 / 0.19],
  },
  {
    name: 'NaN passes through and does not advance the debias count',
    values: [1, NaN, 3], weight: 0.5, expected: [1, NaN, 7 / 3],
  },
  {
    name: 'Infinity passes through', values: [2, Infinity, -Infinity, 2], weight: 0.5, expected: [2, Infinity, -Infinity, 2],
  },
  { name: 'constant series is returned as is', values: [0.1, 0.1, 0.1], weight: 0.99, expected: [0.1, 0.1, 0.1] },
  { name: 'empty', values: [], weight: 0.6, expected: [] },
  { name: 'weight above 0.999 is clamped', values: [0, 1], weight: 5, expected: [0, (0.001 * 1) / (1 - 0.999 ** 2)] },
];

describe('scalars/smoothing: emaSmooth', () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = Array.from(emaSmooth(c.values, c.weight));
      assert.equal(got.length, c.expected.length);
      got.forEach((v, i) => {
        const e = c.expected[i]!;
        if (Number.isNaN(e)) assert.ok(Number.isNaN(v), `index ${i}: expected NaN, got ${v}`);
        else if (!Number.isFinite(e)) assert.equal(v, e);
        else assert.ok(Math.abs(v - e) <= 1e-12 * Math.max(1, Math.abs(e)), `index ${i}: expected ${e}, got ${v}`);
      });
    });
  }

  it('matches a direct TensorBoard port on a long noisy line (incl. the pow shortcut)', () => {
    const values = Array.from({ length: 20_000 }, (_, i) => Math.exp(-i / 5000) + Math.sin(i * 12.9898) * 0.05);
    for (const w of [0.3, 0.6, 0.95, 0.999]) {
      const got = emaSmooth(values, w);
      let last = 0;
      values.forEach((v, i) => {
        last = last * w + (1 - w) * v;
        const expected = last / (1 - Math.pow(w, i + 1));
        assert.ok(Math.abs(got[i]! - expected) <= 1e-12, `w=${w} i=${i}`);
      });
    }
  });

  it('writes into a provided buffer', () => {
    const out = new Float64Array(8);
    const got = emaSmooth([1, 3], 0.5, out);
    assert.equal(got.buffer, out.buffer);
    assert.deepEqual(Array.from(got), [1, 2 + 1 / 3]);
  });

  it('clamps weights', () => {
    assert.deepEqual([-1, 0, 0.5, 1, NaN].map(clampSmoothing), [0, 0, 0.5, 0.999, 0]);
  });
});
