import assert from 'node:assert/strict';
import { alignColumns, nearestIndex } from '../../../src/core/scalars/align';

describe('scalars/align', () => {
  it('joins runs with different steps onto the union: undefined where a run has no point', () => {
    const [x, a, b] = alignColumns([{ x: [0, 10, 20], ys: [[1, 2, 3]] }, { x: [5, 10, 30], ys: [[7, 8, 9]] }]);
    assert.deepEqual(Array.from(x), [0, 5, 10, 20, 30]);
    assert.deepEqual(a, [1, undefined, 2, 3, undefined]);
    assert.deepEqual(b, [undefined, 7, 8, undefined, 9]);
  });

  it('turns NaN/Infinity into null gaps, and ≤ 0 too on a log axis', () => {
    const [, lin] = alignColumns([{ x: [1, 2, 3, 4], ys: [[NaN, Infinity, 0, -1]] }]);
    assert.deepEqual(lin, [null, null, 0, -1]);
    const [, log] = alignColumns([{ x: [1, 2, 3], ys: [[0, -1, 0.5]] }], { log: true });
    assert.deepEqual(log, [null, null, 0.5]);
  });

  it('keeps several columns of one group on the same x', () => {
    const [x, raw, smooth] = alignColumns([{ x: [3, 1], ys: [[30, 10], [31, 11]] }]);
    assert.deepEqual([Array.from(x), raw, smooth], [[1, 3], [10, 30], [11, 31]]);
  });

  it('drops points without x', () => {
    const [x, y] = alignColumns([{ x: [1, NaN], ys: [[1, 2]] }]);
    assert.deepEqual([Array.from(x), y], [[1], [1]]);
  });

  const nearest: [number[], number, number][] = [
    [[0, 10, 20], 4, 0], [[0, 10, 20], 6, 1], [[0, 10, 20], 15, 1], [[0, 10, 20], 99, 2], [[0, 10, 20], -5, 0], [[], 1, -1],
  ];
  for (const [xs, x, expected] of nearest) it(`nearestIndex(${JSON.stringify(xs)}, ${x})`, () => assert.equal(nearestIndex(xs, x), expected));

  it('nearestIndex maps drawn x back to stored x', () => {
    assert.equal(nearestIndex([1000, 1060, 1120], 1, { offset: 1000, div: 60 }), 1);
  });
});
