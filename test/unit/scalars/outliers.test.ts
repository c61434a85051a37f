import assert from 'node:assert/strict';
import { niceLogRange, paddedRange, percentileRange, quantile } from '../../../src/core/scalars/outliers';

function sortedQuantile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * p;
  const lo = Math.floor(pos);
  return lo + 1 < s.length ? s[lo]! + (s[lo + 1]! - s[lo]!) * (pos - lo) : s[lo]!;
}

describe('scalars/outliers', () => {
  const cases: { name: string; columns: number[][]; positiveOnly?: boolean; expected: { min: number; max: number } | null }[] = [
    { name: '0..100: 5th and 95th percentile', columns: [Array.from({ length: 101 }, (_, i) => i)], expected: { min: 5, max: 95 } },
    { name: 'ignores NaN and ±Infinity', columns: [[NaN, Infinity, ...Array.from({ length: 101 }, (_, i) => i), -Infinity]], expected: { min: 5, max: 95 } },
    { name: 'spans several runs', columns: [Array.from({ length: 51 }, (_, i) => i), Array.from({ length: 50 }, (_, i) => 51 + i)], expected: { min: 5, max: 95 } },
    { name: 'a huge spike does not move the range', columns: [[...Array.from({ length: 99 }, () => 1), 1e9]], expected: { min: 1, max: 1 } },
    { name: 'log: only positive values count', columns: [[-5, 0, ...Array.from({ length: 101 }, (_, i) => i + 1)]], positiveOnly: true, expected: { min: 6, max: 96 } },
    { name: 'nothing finite', columns: [[NaN, Infinity]], expected: null },
    { name: 'empty', columns: [], expected: null },
    { name: 'interpolates', columns: [[0, 10]], expected: { min: 0.5, max: 9.5 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = percentileRange(c.columns, { positiveOnly: c.positiveOnly ?? false });
      if (c.expected === null) return assert.equal(got, null);
      assert.ok(got);
      assert.ok(Math.abs(got.min - c.expected.min) < 1e-9, `min ${got.min}`);
      assert.ok(Math.abs(got.max - c.expected.max) < 1e-9, `max ${got.max}`);
    });
  }

  it('quickselect quantile equals the sorted quantile on random data with ties', () => {
    let seed = 7;
    const rand = (): number => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(rand() * 500);
      const values = Array.from({ length: n }, () => Math.round(rand() * 20) / 4);
      for (const p of [0, 0.05, 0.5, 0.95, 1]) {
        assert.equal(quantile(Float64Array.from(values), p), sortedQuantile(values, p), `n=${n} p=${p}`);
      }
    }
  });

  const pads: { name: string; range: { min: number; max: number }; log: boolean; expected: { min: number; max: number } }[] = [
    { name: 'linear: 5% each side', range: { min: 0, max: 10 }, log: false, expected: { min: -0.5, max: 10.5 } },
    { name: 'linear: flat line gets height', range: { min: 2, max: 2 }, log: false, expected: { min: 1.8, max: 2.2 } },
    { name: 'linear: flat zero', range: { min: 0, max: 0 }, log: false, expected: { min: -1, max: 1 } },
    { name: 'log: pads in decades', range: { min: 1, max: 100 }, log: true, expected: { min: 10 ** -0.1, max: 10 ** 2.1 } },
    { name: 'log: flat line gets half a decade', range: { min: 1, max: 1 }, log: true, expected: { min: 10 ** -0.5, max: 10 ** 0.5 } },
    { name: 'log: non-positive min is made drawable', range: { min: -3, max: 10 }, log: true, expected: { min: 10 ** (-2 - 0.15), max: 10 ** (1 + 0.15) } },
    { name: 'log: nothing positive', range: { min: -3, max: 0 }, log: true, expected: { min: 0.1, max: 10 } },
  ];
  for (const c of pads) {
    it(`paddedRange ${c.name}`, () => {
      const got = paddedRange(c.range, c.log);
      assert.ok(Math.abs(got.min - c.expected.min) < 1e-9 && Math.abs(got.max - c.expected.max) < 1e-9, JSON.stringify(got));
      if (c.log) assert.ok(got.min > 0);
    });
  }

  const nice: [{ min: number; max: number }, { min: number; max: number }][] = [
    [{ min: 0.5228, max: 2.31 }, { min: 0.5, max: 3 }],
    [{ min: 3.2e-7, max: 2.1e-4 }, { min: 3e-7, max: 3e-4 }],
    [{ min: 1, max: 10 }, { min: 1, max: 10 }],
    [{ min: 0, max: 10 }, { min: 0, max: 10 }],
  ];
  for (const [input, expected] of nice) {
    it(`niceLogRange(${JSON.stringify(input)})`, () => {
      const got = niceLogRange(input);
      assert.ok(Math.abs(got.min - expected.min) <= 1e-12 * expected.max && Math.abs(got.max - expected.max) <= 1e-12 * expected.max, JSON.stringify(got));
    });
  }
});
