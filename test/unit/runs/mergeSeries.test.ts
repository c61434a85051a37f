import assert from 'node:assert/strict';
import { mergeFiles, mergeResumedSeries } from '../../../src/core/runs/mergeSeries';
import type { ScalarSeries } from '../../../src/core/tfevents/types';

const series = (steps: number[], tag = 0): ScalarSeries => ({ step: steps, wall: steps.map((s) => 1000 + s), value: steps.map((s) => s + tag) });

describe('mergeResumedSeries', () => {
  const cases: { name: string; files: ScalarSeries[]; steps: number[]; values: number[] }[] = [
    { name: 'one file is unchanged', files: [series([1, 2, 3])], steps: [1, 2, 3], values: [1, 2, 3] },
    { name: 'a continuation appends', files: [series([1, 2]), series([3, 4], 0.5)], steps: [1, 2, 3, 4], values: [1, 2, 3.5, 4.5] },
    { name: 'a resume from an earlier step wins from that step on', files: [series([10, 20, 30, 40]), series([30, 40, 50], 0.5)], steps: [10, 20, 30, 40, 50], values: [10, 20, 30.5, 40.5, 50.5] },
    { name: 'a restart from zero replaces everything', files: [series([1, 2, 3]), series([0, 1], 0.5)], steps: [0, 1], values: [0.5, 1.5] },
    { name: 'empty files are ignored', files: [series([]), series([5]), series([])], steps: [5], values: [5] },
    { name: 'three resumes', files: [series([1, 2, 3, 4]), series([3, 4, 5], 0.1), series([5, 6], 0.2)], steps: [1, 2, 3, 4, 5, 6], values: [1, 2, 3.1, 4.1, 5.2, 6.2] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const merged = mergeResumedSeries(c.files);
      assert.deepEqual(merged.step, c.steps);
      assert.deepEqual(merged.value.map((v) => Math.round(v * 10) / 10), c.values);
      assert.equal(merged.wall.length, c.steps.length);
    });
  }

  it('does not mutate its inputs', () => {
    const first = series([1, 2, 3]);
    mergeResumedSeries([first, series([2])]);
    assert.deepEqual(first.step, [1, 2, 3]);
  });
});

describe('mergeFiles', () => {
  it('merges per tag, tags present in only some files kept', () => {
    const merged = mergeFiles([
      new Map([['train/loss', series([1, 2, 3])], ['eval/loss', series([2])]]),
      new Map([['train/loss', series([3, 4], 0.5)]]),
    ]);
    assert.deepEqual([...merged.keys()], ['eval/loss', 'train/loss']);
    assert.deepEqual(merged.get('train/loss')!.step, [1, 2, 3, 4]);
    assert.deepEqual(merged.get('eval/loss')!.step, [2]);
  });
});
