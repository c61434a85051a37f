import assert from 'node:assert/strict';
import { compileTagFilter, groupTags } from '../../../src/core/scalars/tags';
import { formatDuration, formatStep, formatValue, prettyText } from '../../../src/core/scalars/format';
import { GrowableSeries } from '../../../src/core/scalars/columns';

describe('scalars/tags', () => {
  it('filters by case-insensitive regex; empty matches all', () => {
    const f = compileTagFilter('^train/(loss|LR)');
    assert.ok(f.ok);
    assert.deepEqual(['train/loss', 'train/lr', 'eval/loss'].filter(f.test), ['train/loss', 'train/lr']);
    const all = compileTagFilter('  ');
    assert.ok(all.ok && all.test('anything'));
  });

  it('reports an invalid regex instead of throwing', () => {
    const f = compileTagFilter('train/(');
    assert.equal(f.ok, false);
    assert.ok(!f.ok && /unterminated group/i.test(f.error), !f.ok ? f.error : '');
  });

  it('groups train, eval, other prefixes, then other', () => {
    const groups = groupTags(['loss', 'eval/loss', 'train/step10', 'train/step9', 'system/gpu', 'train/a']);
    assert.deepEqual(groups, [
      { group: 'train', tags: ['train/a', 'train/step9', 'train/step10'] },
      { group: 'eval', tags: ['eval/loss'] },
      { group: 'system', tags: ['system/gpu'] },
      { group: 'other', tags: ['loss'] },
    ]);
  });
});

describe('scalars/format', () => {
  const values: [number | null, string][] = [[0, '0'], [0.123456, '0.1235'], [1e-4, '1e-4'], [2.5e-5, '2.5e-5'], [12345.678, '12350'], [3e7, '3e7'], [NaN, 'NaN'], [-Infinity, '-∞'], [null, '']];
  for (const [v, s] of values) it(`formatValue(${v}) = ${s}`, () => assert.equal(formatValue(v), s));
  const steps: [number, string][] = [[950, '950'], [1500, '1.5k'], [20000, '20k'], [1_234_567, '1.23M']];
  for (const [v, s] of steps) it(`formatStep(${v}) = ${s}`, () => assert.equal(formatStep(v), s));
  const durations: [number, string][] = [[12.34, '12.3s'], [187, '3m 07s'], [3900, '1h 05m'], [93600, '1d 2h']];
  for (const [v, s] of durations) it(`formatDuration(${v}) = ${s}`, () => assert.equal(formatDuration(v), s));
  it('pretty-prints JSON text summaries and leaves other text alone', () => {
    assert.equal(prettyText('{"lr":0.001,"bs":8}'), '{\n  "lr": 0.001,\n  "bs": 8\n}');
    assert.equal(prettyText('<b>not json</b>'), '<b>not json</b>');
    assert.equal(prettyText('{broken'), '{broken');
  });
});

describe('scalars/columns: GrowableSeries', () => {
  it('appends, grows and bumps its version', () => {
    const s = new GrowableSeries(2);
    s.append([1, 2, 3], [10, 20, 30], [0.1, 0.2, 0.3]);
    s.append([4], [40], [0.4]);
    assert.deepEqual([Array.from(s.step), Array.from(s.wall), Array.from(s.value)], [[1, 2, 3, 4], [10, 20, 30, 40], [0.1, 0.2, 0.3, 0.4]]);
    assert.equal(s.version, 2);
  });
  it('rejects columns of different lengths', () => {
    assert.throws(() => new GrowableSeries().append([1], [], [1]), /column lengths differ: step 1, wall 0/);
  });
});
