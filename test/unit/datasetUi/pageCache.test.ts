import assert from 'node:assert/strict';
import { RowCache } from '../../../src/ui/dataset/rowCache';
import { Lru, PageCache } from '../../../webview/dataset/pageCache';

const rows = (start: number, count: number): number[] => Array.from({ length: count }, (_, i) => start + i);

describe('dataset preview: page cache', () => {
  it('asks for the pages covering the window, once', () => {
    const cache = new PageCache<number>(50, 10);
    cache.reset(1);
    assert.deepEqual(cache.missing(0, 8, 1000), [0]);
    assert.deepEqual(cache.missing(40, 120, 1000), [0, 1, 2]);
    assert.deepEqual(cache.request(1, 1000), { start: 50, end: 100 });
    assert.deepEqual(cache.missing(40, 120, 1000), [0, 2], 'a pending page is not asked for again');
    assert.ok(cache.fill(1, 50, rows(50, 50)));
    assert.equal(cache.get(73), 73);
    assert.equal(cache.get(10), undefined);
    assert.deepEqual(cache.missing(50, 100, 1000), []);
  });

  it('never asks past the end of the view', () => {
    const cache = new PageCache<number>(50, 10);
    cache.reset(1);
    assert.deepEqual(cache.missing(0, 20, 0), []);
    assert.deepEqual(cache.missing(90, 130, 120), [1, 2]);
    assert.deepEqual(cache.request(2, 120), { start: 100, end: 120 });
  });

  it('a page that came back short (the view was growing) is asked for again when more rows exist', () => {
    const cache = new PageCache<number>(50, 10);
    cache.reset(3);
    cache.request(0, 20);
    cache.fill(3, 0, rows(0, 20));
    assert.deepEqual(cache.missing(0, 10, 20), [], 'complete for a view of 20');
    assert.deepEqual(cache.missing(0, 10, 35), [0], 'short for a view of 35');
    assert.equal(cache.get(5), 5, 'the short page still serves what it has meanwhile');
  });

  it('ignores rows of an older view and forgets everything on reset', () => {
    const cache = new PageCache<number>(50, 10);
    cache.reset(1);
    cache.request(0, 100);
    cache.reset(2);
    assert.equal(cache.fill(1, 0, rows(0, 50)), false);
    assert.equal(cache.get(0), undefined);
    assert.deepEqual(cache.missing(0, 10, 100), [0], 'the old request does not block the new view');
    cache.fail(1, 0);
    cache.request(0, 100);
    cache.fail(2, 0);
    assert.deepEqual(cache.missing(0, 10, 100), [0], 'a failed page may be asked for again');
  });

  it('evicts the least recently filled pages beyond the limit', () => {
    const cache = new PageCache<number>(10, 3);
    cache.reset(1);
    for (const page of [0, 1, 2, 3]) {
      cache.request(page, 1000);
      cache.fill(1, page * 10, rows(page * 10, 10));
    }
    assert.equal(cache.size, 3);
    assert.equal(cache.get(5), undefined, 'page 0 went first');
    assert.equal(cache.get(35), 35);
  });

  it('Lru keeps the most recently used', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    assert.equal(lru.get('a'), 1);
    lru.set('c', 3);
    assert.deepEqual([lru.get('a'), lru.get('b'), lru.get('c'), lru.size], [1, undefined, 3, 2]);
  });
});

describe('dataset preview: host row cache', () => {
  const fake = (reads: [number, number][]) => async (start: number, end: number) => {
    reads.push([start, end]);
    return Array.from({ length: end - start }, (_, k) => ({ index: start + k, line: null, id: null, messages: [], images: [], problems: [] }));
  };

  it('reads a filtered page in a few contiguous runs and serves repeats from memory', async () => {
    const reads: [number, number][] = [];
    const cache = new RowCache(fake(reads), 100);
    const rows = await cache.read([3, 5, 9, 40, 41, 90]);
    assert.deepEqual(rows.map((r) => r.index), [3, 5, 9, 40, 41, 90]);
    assert.deepEqual(reads, [[3, 10], [40, 42], [90, 91]], 'gaps under 16 rows are read through');
    await cache.read([41, 5]);
    assert.equal(reads.length, 3, 'cached rows are not read again');
  });

  it('keeps at most `max` rows', async () => {
    const reads: [number, number][] = [];
    const cache = new RowCache(fake(reads), 5);
    await cache.read([0, 1, 2, 3, 4, 5, 6]);
    await cache.read([0]);
    assert.deepEqual(reads.at(-1), [0, 1], 'row 0 was evicted');
  });
});
