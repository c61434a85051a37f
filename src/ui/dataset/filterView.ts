/**
 * The rows a filter keeps, found by a background pass that follows the index (rows found) and the
 * validation scan (rows checked) as they advance, and streams its growing count. Without a filter the
 * view is the identity and costs nothing.
 */
import type { DatasetRow } from '../../core/datasets/types';
import { isEmptyFilter, type ViewFilter } from '../../protocol/dataset';
import { Growable, maskOf, type RowStats } from './rowStats';
import { rowMatches, searchNeedle } from './rowViews';

/** Resolves waiters whenever something they may be waiting for has moved on. */
export class Waker {
  private waiters: (() => void)[] = [];

  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Where the view's rows come from, as the filter pass sees it. */
export interface ViewSource {
  /** Rows indexed so far. */
  rowCount(): number;
  rows(start: number, end: number): Promise<DatasetRow[]>;
  stats(): RowStats;
  /** The validation scan has checked every row it will check (done, failed or stopped). */
  scanFinished(): boolean;
  /** The index will not grow any more (done, failed or cancelled). */
  indexFinished(): boolean;
  waker: Waker;
}

/** Does a row's problem mask pass the filter's problem part? */
export function maskPasses(mask: number, filter: ViewFilter): boolean {
  if (filter.codes.length > 0) return (mask & maskOf(filter.codes)) !== 0;
  return filter.problemsOnly ? mask !== 0 : true;
}

export class FilterView {
  readonly identity: boolean;
  private readonly positions = new Growable((n) => new Uint32Array(n));
  private scannedRows = 0;
  private finished = false;
  private stopped = false;
  private readonly needle: string | null;
  private readonly usesProblems: boolean;

  constructor(readonly id: number, readonly filter: ViewFilter, private readonly source: ViewSource) {
    this.identity = isEmptyFilter(filter);
    this.needle = searchNeedle(filter.query);
    this.usesProblems = filter.problemsOnly || filter.codes.length > 0;
  }

  get count(): number {
    return this.identity ? this.source.rowCount() : this.positions.length;
  }

  get scanned(): number {
    return this.identity ? this.source.rowCount() : this.scannedRows;
  }

  get done(): boolean {
    return this.identity ? this.source.indexFinished() : this.finished;
  }

  /** Row index at a position of the view (undefined past the end). */
  rowAt(position: number): number | undefined {
    if (position < 0 || position >= this.count) return undefined;
    return this.identity ? position : this.positions.get(position);
  }

  /** Position of the first row ≥ `row` found so far (null when there is none yet). */
  locate(row: number): number | null {
    if (this.identity) return row < this.count ? row : null;
    const rows = this.positions.view();
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows[mid]! < row) lo = mid + 1;
      else hi = mid;
    }
    return lo < rows.length ? lo : null;
  }

  stop(): void {
    this.stopped = true;
  }

  /** Runs the pass; `onProgress` after each batch. Resolves when done or stopped. */
  async run(onProgress: () => void, batchRows = 512): Promise<void> {
    if (this.identity) return;
    let row = 0;
    while (!this.stopped) {
      const limit = this.usesProblems ? this.source.stats().checked : this.source.rowCount();
      if (row >= limit) {
        const exhausted = this.source.indexFinished() && (!this.usesProblems || this.source.scanFinished());
        if (exhausted && row >= (this.usesProblems ? this.source.stats().checked : this.source.rowCount())) break;
        await this.source.waker.wait();
        continue;
      }
      const end = Math.min(limit, row + batchRows);
      await this.take(row, end);
      row = end;
      this.scannedRows = end;
      onProgress();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (!this.stopped) {
      this.finished = true;
      onProgress();
    }
  }

  private async take(from: number, to: number): Promise<void> {
    const stats = this.source.stats();
    const passing: number[] = [];
    for (let row = from; row < to; row++) if (!this.usesProblems || maskPasses(stats.masks.get(row), this.filter)) passing.push(row);
    if (this.needle === null) {
      for (const row of passing) this.positions.push(row);
      return;
    }
    if (passing.length === 0) return;
    // Text search parses the rows; one read covers the batch.
    const rows: DatasetRow[] = await this.source.rows(passing[0]!, passing[passing.length - 1]! + 1);
    if (this.stopped) return;
    const keep = new Set(passing);
    for (const row of rows) if (keep.has(row.index) && rowMatches(row, this.needle)) this.positions.push(row.index);
  }
}
