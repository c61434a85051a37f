import assert from 'node:assert/strict';
import { buildCardData, relativeUnit, type CardLine } from '../../../src/core/scalars/cardData';
import { emaSmooth } from '../../../src/core/scalars/smoothing';

function makeLine(n: number, stride: number, t0: number, smoothing: number): CardLine {
  const step = Float64Array.from({ length: n }, (_, i) => i * stride);
  const wall = Float64Array.from({ length: n }, (_, i) => t0 + i * 2);
  const value = Float64Array.from({ length: n }, (_, i) => 1 / (1 + i / 100) + (i % 5) / 100);
  return { step, wall, value, smoothed: smoothing > 0 ? emaSmooth(value, smoothing) : null };
}

const base = { xAxis: 'step' as const, width: 400, maxPointsPerLine: 2000, envelope: false, log: false, range: null };

describe('scalars/cardData', () => {
  it('small lines are drawn whole; column order is raw lines then smoothed lines', () => {
    const lines = [makeLine(100, 10, 0, 0.6), makeLine(50, 20, 0, 0.6)];
    const d = buildCardData(lines, base);
    assert.equal(d.downsampled, false);
    assert.equal(d.shown, 150);
    assert.equal(d.total, 150);
    assert.deepEqual(d.slots, [{ lo: -1, hi: -1, raw: 1, smooth: 3 }, { lo: -1, hi: -1, raw: 2, smooth: 4 }]);
    assert.equal(d.columns.length, 5);
    assert.equal(d.columns[0].length, 100); // second run's steps are a subset of the first's
  });

  it('downsamples big lines to about two points per pixel column and keeps the last point', () => {
    const line = makeLine(100_000, 1, 0, 0.9);
    const d = buildCardData([line], base);
    assert.ok(d.downsampled);
    assert.ok(d.shown <= 2 * 400 + 4, `shown ${d.shown}`);
    assert.equal(d.total, 100_000);
    const x = d.columns[0];
    assert.equal(x[x.length - 1], 99_999);
    assert.equal(d.columns[d.slots[0]!.raw]![x.length - 1], line.value[99_999]);
    assert.equal(d.columns[d.slots[0]!.smooth]![x.length - 1], line.smoothed![99_999]);
  });

  it('respects maxPointsPerLine when it is below two points per pixel', () => {
    const d = buildCardData([makeLine(5000, 1, 0, 0)], { ...base, maxPointsPerLine: 200 });
    assert.ok(d.shown <= 204, `shown ${d.shown}`);
  });

  it('adds a min/max band (drawn first) when smoothing or downsampling', () => {
    const d = buildCardData([makeLine(100, 1, 0, 0.6), makeLine(100, 1, 0, 0)], { ...base, envelope: true });
    assert.deepEqual(d.slots[0], { lo: 1, hi: 2, raw: 3, smooth: 5 });
    assert.deepEqual(d.slots[1], { lo: -1, hi: -1, raw: 4, smooth: -1 });
  });

  it('relative x starts every run at 0 in a readable unit', () => {
    const d = buildCardData([makeLine(3000, 1, 1_700_000_000, 0), makeLine(10, 1, 1_800_000_000, 0)], { ...base, xAxis: 'relative' });
    assert.equal(d.relativeUnit.suffix, 'min'); // the longest run spans 5998 s
    assert.equal(d.columns[0][0], 0);
    assert.ok(Math.abs(d.columns[0][d.columns[0].length - 1]! - 5998 / 60) < 1e-9);
  });

  const units: [number, string][] = [[30, 's'], [3600, 'min'], [10 * 3600, 'h'], [5 * 86400, 'd']];
  for (const [seconds, suffix] of units) it(`relativeUnit(${seconds}) = ${suffix}`, () => assert.equal(relativeUnit(seconds).suffix, suffix));

  it('zoom re-downsamples inside the range', () => {
    const d = buildCardData([makeLine(100_000, 1, 0, 0)], { ...base, range: { from: 1000, to: 2000 } });
    const x = d.columns[0];
    const inside = Array.from(x).filter((v) => v >= 1000 && v <= 2000).length;
    assert.ok(inside > 700, `only ${inside} points inside the zoomed range`);
  });
});
