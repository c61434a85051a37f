import assert from 'node:assert/strict';
import type { DatasetRow } from '../../../src/core/datasets/types';
import type { IssueCode, ViewFilter } from '../../../src/protocol/dataset';
import { FilterView, maskPasses, Waker, type ViewSource } from '../../../src/ui/dataset/filterView';
import { maskOf, RowStats } from '../../../src/ui/dataset/rowStats';

/** A dataset of `total` rows whose index and validation advance when the test says so. */
function source(total: number, texts: (i: number) => string, problems: (i: number) => IssueCode[]) {
  const state = { indexed: 0, indexDone: false, scanDone: false, reads: 0 };
  const stats = new RowStats();
  const waker = new Waker();
  const row = (i: number): DatasetRow => ({ index: i, line: i + 1, id: `r${i}`, messages: [{ role: 'user', content: [{ type: 'text', text: texts(i) }] }], images: [], problems: [] });
  const src: ViewSource = {
    rowCount: () => state.indexed,
    rows: async (a, b) => { state.reads++; return Array.from({ length: Math.max(0, Math.min(b, state.indexed) - a) }, (_, k) => row(a + k)); },
    stats: () => stats,
    scanFinished: () => state.scanDone,
    indexFinished: () => state.indexDone,
    waker,
  };
  return {
    src, state,
    index(to: number, done = false) { state.indexed = Math.min(total, to); state.indexDone = done; waker.wake(); },
    validate(to: number, done = false) {
      for (let i = stats.checked; i < to; i++) stats.record(i, problems(i).map((code) => ({ code, message: code })), 10, 0, 1);
      state.scanDone = done;
      waker.wake();
    },
  };
}

const settle = async () => { for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve)); };
const f = (patch: Partial<ViewFilter>): ViewFilter => ({ problemsOnly: false, codes: [], query: '', ...patch });

describe('dataset preview: filtered views', () => {
  it('mask filters: any problem, or one of the chosen codes', () => {
    const mask = maskOf(['image_missing', 'too_long']);
    const cases: [Partial<ViewFilter>, number, boolean][] = [
      [{}, 0, true], [{ problemsOnly: true }, 0, false], [{ problemsOnly: true }, mask, true],
      [{ problemsOnly: true, codes: ['too_long'] }, mask, true], [{ problemsOnly: true, codes: ['duplicate_id'] }, mask, false],
      [{ codes: ['image_missing'] }, maskOf(['image_missing']), true],
    ];
    for (const [filter, m, expected] of cases) assert.equal(maskPasses(m, f(filter)), expected, JSON.stringify(filter));
  });

  it('no filter: the identity view follows the index and costs no reads', async () => {
    const s = source(100, () => 'x', () => []);
    const view = new FilterView(1, f({}), s.src);
    s.index(40);
    void view.run(() => undefined);
    assert.deepEqual([view.identity, view.count, view.rowAt(39), view.rowAt(40), view.locate(12), view.done], [true, 40, 39, undefined, 12, false]);
    s.index(100, true);
    assert.deepEqual([view.count, view.done, s.state.reads], [100, true, 0]);
  });

  it('problems-only follows the validation scan and never reads rows', async () => {
    const s = source(1000, () => 'x', (i) => (i % 10 === 3 ? ['image_missing'] : i % 100 === 7 ? ['too_long'] : []));
    const view = new FilterView(2, f({ problemsOnly: true }), s.src);
    let progress = 0;
    const running = view.run(() => progress++, 64);
    s.index(1000, true);
    s.validate(300);
    await settle();
    assert.equal(view.count, 33, 'rows 3, 7, 13, … below 300');
    assert.equal(view.done, false, 'validation is not done');
    s.validate(1000, true);
    await running;
    assert.deepEqual([view.count, view.done, view.scanned, s.state.reads], [110, true, 1000, 0]);
    assert.deepEqual([view.rowAt(0), view.rowAt(1), view.rowAt(2)], [3, 7, 13]);
    assert.equal(view.locate(8), 2, 'first row ≥ 8 is row 13 at position 2');
    assert.equal(view.locate(999), null);
    assert.ok(progress > 1, 'progress streamed');
  });

  it('one code: only rows with it', async () => {
    const s = source(200, () => 'x', (i) => (i % 10 === 3 ? ['image_missing'] : i % 100 === 7 ? ['too_long'] : []));
    s.index(200, true);
    s.validate(200, true);
    const view = new FilterView(3, f({ problemsOnly: true, codes: ['too_long'] }), s.src);
    await view.run(() => undefined);
    assert.deepEqual([view.count, view.rowAt(0), view.rowAt(1)], [2, 7, 107]);
  });

  it('search streams matches as the index grows, case-insensitively', async () => {
    const s = source(5000, (i) => (i % 1000 === 500 ? `row ${i}: a CAFÉ` : `row ${i}`), () => []);
    const view = new FilterView(4, f({ query: 'café' }), s.src);
    const running = view.run(() => undefined, 256);
    s.index(2000);
    await settle();
    assert.deepEqual([view.count, view.done], [2, false]);
    s.index(5000, true);
    await running;
    assert.deepEqual([view.count, view.done, view.rowAt(4)], [5, true, 4500]);
  });

  it('search + problems: text is matched only among rows with problems', async () => {
    const s = source(100, (i) => (i % 2 === 0 ? 'cat' : 'dog'), (i) => (i % 5 === 0 ? ['empty_turn'] : []));
    s.index(100, true);
    s.validate(100, true);
    const view = new FilterView(5, f({ problemsOnly: true, query: 'cat' }), s.src);
    await view.run(() => undefined);
    assert.deepEqual([view.count, view.rowAt(0), view.rowAt(1)], [10, 0, 10]);
  });

  it('stop ends the pass without marking it done', async () => {
    const s = source(100, () => 'x', () => ['empty_turn']);
    const view = new FilterView(6, f({ problemsOnly: true }), s.src);
    const running = view.run(() => undefined);
    s.index(100, true);
    view.stop();
    s.validate(10);
    await running;
    assert.equal(view.done, false);
  });
});
