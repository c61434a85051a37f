import assert from 'node:assert/strict';
import { downsampleMinMax, minMaxEnvelope } from '../../../src/core/scalars/downsample';

function line(n: number, f: (i: number) => number): { xs: Float64Array; ys: Float64Array } {
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) { xs[i] = i; ys[i] = f(i); }
  return { xs, ys };
}

describe('scalars/downsample: downsampleMinMax', () => {
  const cases: { name: string; n: number; buckets: number; f: (i: number) => number; mustKeep: number[] }[] = [
    { name: 'keeps first and last of a rising line', n: 100_000, buckets: 500, f: (i) => i, mustKeep: [0, 99_999] },
    { name: 'keeps a single spike', n: 100_000, buckets: 300, f: (i) => (i === 41_234 ? 1e6 : 1), mustKeep: [0, 41_234, 99_999] },
    { name: 'keeps a single dip', n: 50_000, buckets: 300, f: (i) => (i === 777 ? -5 : Math.sin(i)), mustKeep: [0, 777, 49_999] },
    { name: 'keeps the last point even when it is not an extreme', n: 10_001, buckets: 10, f: (i) => (i % 2 ? 1 : -1) * (i === 10_000 ? 0 : 1), mustKeep: [10_000] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { xs, ys } = line(c.n, c.f);
      const { indices, total } = downsampleMinMax(xs, ys, { from: 0, to: c.n - 1, buckets: c.buckets });
      assert.equal(total, c.n);
      assert.ok(indices.length <= 2 * c.buckets + 4, `kept ${indices.length}`);
      for (const k of c.mustKeep) assert.ok(indices.includes(k), `dropped index ${k}`);
      for (let i = 1; i < indices.length; i++) assert.ok(indices[i]! > indices[i - 1]!, 'indices ascend');
    });
  }

  it('keeps every bucket extreme: min/max of the kept points equal min/max of each column', () => {
    const { xs, ys } = line(20_000, (i) => Math.sin(i * 0.37) * Math.exp(-i / 9000) + ((i * 7919) % 13) / 50);
    const buckets = 100;
    const { indices } = downsampleMinMax(xs, ys, { from: 0, to: 19_999, buckets });
    const kept = new Set(indices);
    for (let b = 0; b < buckets; b++) {
      let lo = Infinity; let hi = -Infinity; let keptLo = Infinity; let keptHi = -Infinity;
      for (let i = 0; i < 20_000; i++) {
        if (Math.min(buckets - 1, Math.floor((i * buckets) / 19_999)) !== b) continue;
        lo = Math.min(lo, ys[i]!); hi = Math.max(hi, ys[i]!);
        if (kept.has(i)) { keptLo = Math.min(keptLo, ys[i]!); keptHi = Math.max(keptHi, ys[i]!); }
      }
      assert.equal(keptLo, lo, `bucket ${b} min`);
      assert.equal(keptHi, hi, `bucket ${b} max`);
    }
  });

  it('returns every index when the line is already small', () => {
    const { xs, ys } = line(50, (i) => i);
    assert.deepEqual(Array.from(downsampleMinMax(xs, ys, { from: 0, to: 49, buckets: 100 }).indices), Array.from({ length: 50 }, (_, i) => i));
  });

  it('keeps one non-finite point per column so gaps stay visible', () => {
    const { xs, ys } = line(10_000, (i) => (i === 5000 ? NaN : 1));
    const { indices } = downsampleMinMax(xs, ys, { from: 0, to: 9999, buckets: 50 });
    assert.ok(indices.includes(5000));
  });

  it('keeps the neighbours just outside a zoomed range', () => {
    const { xs, ys } = line(10_000, (i) => i % 7);
    const { indices } = downsampleMinMax(xs, ys, { from: 4000.5, to: 6000.5, buckets: 20 });
    assert.ok(indices.includes(4000) && indices.includes(6001) && indices.includes(0) && indices.includes(9999));
    assert.ok(indices.length <= 44);
  });

  it('maps stored x through offset and divisor (relative time)', () => {
    const xs = Float64Array.from({ length: 10_000 }, (_, i) => 1_700_000_000 + i * 3.6);
    const ys = Float64Array.from({ length: 10_000 }, (_, i) => (i === 9000 ? 99 : 0));
    const { indices } = downsampleMinMax(xs, ys, { from: 0, to: 9999 * 3.6 / 3600, buckets: 10 }, { offset: 1_700_000_000, div: 3600 });
    assert.ok(indices.includes(9000) && indices.includes(9999));
  });
});

describe('scalars/downsample: minMaxEnvelope', () => {
  it('gives each column its low and high at its first and last x', () => {
    const xs = Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const ys = Float64Array.from([5, 1, 9, 2, 3, 3, NaN, 4]);
    const env = minMaxEnvelope(xs, ys, { from: 0, to: 8, buckets: 2 });
    assert.deepEqual(Array.from(env.x), [0, 3, 4, 7]);
    assert.deepEqual(Array.from(env.lo), [1, 1, 3, 3]);
    assert.deepEqual(Array.from(env.hi), [9, 9, 4, 4]);
  });

  it('skips empty columns', () => {
    const env = minMaxEnvelope([0, 10], [1, 2], { from: 0, to: 10, buckets: 5 });
    assert.deepEqual(Array.from(env.x), [0, 10]);
  });
});
