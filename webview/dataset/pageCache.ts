/**
 * Rows of the current view, fetched from the host a page at a time as the user scrolls. Pages near
 * the screen stay; the least recently used go once there are more than `maxPages`. A page that came
 * back short while the view was still growing is fetched again when more rows exist. No DOM.
 */
export interface PageEntry<T> {
  rows: T[] | null;
  /** Set while a request is out. */
  pending: boolean;
}

export class PageCache<T> {
  private pages = new Map<number, PageEntry<T>>();
  viewId = 0;

  constructor(readonly pageSize = 50, private readonly maxPages = 40) {}

  /** A new view: everything cached belongs to the old one. */
  reset(viewId: number): void {
    this.viewId = viewId;
    this.pages = new Map();
  }

  pageOf(position: number): number {
    return Math.floor(position / this.pageSize);
  }

  get(position: number): T | undefined {
    const entry = this.pages.get(this.pageOf(position));
    return entry?.rows?.[position - this.pageOf(position) * this.pageSize];
  }

  /** Pages covering [first, end) that are neither loaded in full nor on their way, for a view of `count` positions. */
  missing(first: number, end: number, count: number): number[] {
    const out: number[] = [];
    const last = Math.min(end, count);
    if (last <= first) return out;
    for (let page = this.pageOf(first); page <= this.pageOf(last - 1); page++) {
      const entry = this.pages.get(page);
      if (entry?.pending) continue;
      const expected = Math.min(this.pageSize, count - page * this.pageSize);
      if (entry?.rows && entry.rows.length >= expected) continue;
      out.push(page);
    }
    return out;
  }

  /** Marks a page requested; returns its [start, end) positions. */
  request(page: number, count: number): { start: number; end: number } {
    const old = this.pages.get(page);
    this.pages.set(page, { rows: old?.rows ?? null, pending: true });
    const start = page * this.pageSize;
    return { start, end: Math.min(count, start + this.pageSize) };
  }

  /** Stores a page's rows; false (ignored) when they belong to an older view. */
  fill(viewId: number, start: number, rows: T[]): boolean {
    if (viewId !== this.viewId) return false;
    const page = this.pageOf(start);
    this.pages.delete(page); // re-insert: most recently used last
    this.pages.set(page, { rows, pending: false });
    this.evict(page);
    return true;
  }

  /** A request failed or was dropped: the page may be asked for again. */
  fail(viewId: number, start: number): void {
    if (viewId !== this.viewId) return;
    const page = this.pageOf(start);
    const entry = this.pages.get(page);
    if (entry) entry.pending = false;
  }

  get size(): number {
    return this.pages.size;
  }

  /** Drops the least recently filled pages, never the one just filled. */
  private evict(keep: number): void {
    for (const page of this.pages.keys()) {
      if (this.pages.size <= this.maxPages) break;
      if (page === keep || this.pages.get(page)!.pending) continue;
      this.pages.delete(page);
    }
  }
}

/** A small least-recently-used map (thumbnails by row and image). */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }

  get size(): number {
    return this.map.size;
  }
}
