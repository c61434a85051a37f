import assert from 'node:assert/strict';
import type { SeriesData } from '../../../src/protocol/scalars';
import { ScalarsStore } from '../../../webview/scalars/store';

const s = (run: string, tag: string, steps: number[], values = steps.map((x) => x / 10)): SeriesData => ({
  run, tag, step: Float64Array.from(steps), wall: Float64Array.from(steps), value: Float64Array.from(values),
});

describe('scalars webview store', () => {
  it('appends to existing lines and reports the changed tags', () => {
    const store = new ScalarsStore();
    store.append([s('a', 'loss', [1, 2]), s('a', 'lr', [1])]);
    const changed = store.append([s('a', 'loss', [3])]);
    assert.deepEqual([...changed], ['loss']);
    assert.deepEqual(Array.from(store.get('a', 'loss')!.step), [1, 2, 3]);
    assert.equal(store.pointCount(), 4);
  });

  it('replaceRun drops the old lines and reports old and new tags', () => {
    const store = new ScalarsStore();
    store.append([s('a', 'loss', [1, 2]), s('b', 'loss', [1])]);
    const changed = store.replaceRun('a', [s('a', 'eval/loss', [5])]);
    assert.deepEqual([...changed].sort(), ['eval/loss', 'loss']);
    assert.equal(store.get('a', 'loss'), undefined);
    assert.deepEqual(store.tagsOf('a'), ['eval/loss']);
    assert.deepEqual([...store.allTags(['a', 'b'])].sort(), ['eval/loss', 'loss']);
  });

  it('caches smoothing until the points or the weight change', () => {
    const store = new ScalarsStore();
    store.append([s('a', 'loss', [1, 2], [1, 3])]);
    const line = store.get('a', 'loss')!;
    const first = store.smoothed(line, 0.5);
    assert.equal(store.smoothed(line, 0.5), first);
    assert.deepEqual(Array.from(first), [1, 7 / 3]);
    store.append([s('a', 'loss', [3], [5])]);
    assert.ok(Math.abs(store.smoothed(line, 0.5)[2]! - 27 / 7) < 1e-12);
    assert.notEqual(store.smoothed(line, 0.9), first);
  });
});
