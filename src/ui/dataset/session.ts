/**
 * One open dataset behind a preview panel (vscode-free): the growing index, the validation scan, the
 * current filtered view, pages of rows for the screen and their thumbnails. The controller turns its
 * events into messages; VS Code never appears here, so unit tests drive it on real files.
 */
import { basename } from 'node:path';
import { openDataset } from '../../core/datasets/api';
import type { Dataset, ImageRef, IndexProgress } from '../../core/datasets/types';
import type { Thumbnail } from '../../core/images/thumbnails';
import type { DatasetInfo, IndexState, Notice, RowView, ThumbnailResult, ValidationState, ViewFilter, ViewInfo } from '../../protocol/dataset';
import { FilterView, Waker } from './filterView';
import { RowCache, unresolvedImagesNotice } from './rowCache';
import { thumbnailResult, type ThumbnailMaker } from './thumbnailResult';
import { LatestFirstQueue, Throttle } from './latestFirstQueue';
import { NO_TOKENS, RowStats } from './rowStats';
import { validationStateOf } from './validationState';
import { toRowView, uiWording } from './rowViews';
import { createChecker, scanRows, type Checker } from './validationScan';

export interface SessionParams {
  path: string;
  split: string | null;
  imageRoot: string | null;
  modelDir: string | null;
  maxLength: number;
  /** Index scan chunk size (tests slow the scan down with small chunks). */
  chunkBytes?: number;
}

export interface SessionDeps {
  thumbnails: ThumbnailMaker;
  /** Larger renders for the lightbox (embedded images). */
  fullImages: ThumbnailMaker;
  log(message: string): void;
}

export interface SessionEvents {
  index(state: IndexState): void;
  validation(state: ValidationState): void;
  view(info: ViewInfo): void;
  notice(notice: Notice | null): void;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const isAbort = (error: unknown): boolean => (error as Error)?.name === 'AbortError';
/** Rows around the screen whose thumbnails are still worth making. */
const THUMBNAIL_MARGIN = 30;

export class DatasetSession {
  private readonly indexAbort = new AbortController();
  private indexState: IndexState;
  private scanAbort = new AbortController();
  private stats = new RowStats();
  private checker: Promise<Checker> | null = null;
  private validationState: ValidationState | null = null;
  /** How tokens are counted, once the checker is built. */
  private basis: { tokenBasis: string; imageTokensPerImage: number } | null = null;
  private scanDone = false;
  private scanError: string | null = null;
  private readonly waker = new Waker();
  private view: FilterView;
  private nextViewId = 1;
  private visibleRows = new Set<number>();
  private readonly rowCache = new RowCache((start, end) => this.dataset.rows(start, end));
  private readonly thumbQueue = new LatestFirstQueue(4, (row) => this.visibleRows.size === 0 || this.visibleRows.has(row));
  private readonly indexThrottle = new Throttle(() => this.events.index(this.indexState), 150);
  private readonly validationThrottle = new Throttle(() => this.events.validation(this.describeValidation()), 200);
  private readonly viewThrottle = new Throttle(() => this.events.view(this.describeView()), 150);
  private disposed = false;
  /** Set once openDataset returns; events before that are only recorded. */
  private dataset!: Dataset;

  private constructor(readonly params: SessionParams, private readonly deps: SessionDeps, private readonly events: SessionEvents) {
    this.indexState = { rowsFound: 0, bytesScanned: 0, totalBytes: 0, done: false, cancelled: false, error: null };
    this.view = this.makeView({ problemsOnly: false, codes: [], query: '' });
  }

  /** Opens the dataset (first rows readable on return) and starts validating in the background. */
  static async open(params: SessionParams, deps: SessionDeps, events: SessionEvents): Promise<DatasetSession> {
    const session = new DatasetSession(params, deps, events);
    const onProgress = (p: IndexProgress): void => session.indexProgress(p);
    session.dataset = await openDataset(params.path, {
      split: params.split ?? undefined, imageRoot: params.imageRoot ?? undefined, signal: session.indexAbort.signal, onProgress, chunkBytes: params.chunkBytes,
    });
    const dataset = session.dataset;
    session.indexState = { ...session.indexState, rowsFound: dataset.rowCount, totalBytes: dataset.totalBytes, done: dataset.complete };
    dataset.onProgress(onProgress);
    dataset.done.then(
      () => session.indexSettled(null),
      (error: unknown) => session.indexSettled(error),
    );
    session.startValidation();
    return session;
  }

  info(): DatasetInfo {
    const d = this.dataset;
    return {
      path: d.path, name: basename(d.path), format: d.format, splits: [...d.splits], split: d.split, imageRoot: d.imageRoot,
      totalBytes: d.totalBytes, hasLines: d.format.endsWith('json') || d.format.endsWith('jsonl'),
    };
  }

  index(): IndexState {
    return this.indexState;
  }

  validation(): ValidationState | null {
    return this.validationState;
  }

  describeView(): ViewInfo {
    const v = this.view;
    return { viewId: v.id, count: v.count, scanned: v.scanned, total: this.dataset.rowCount, done: v.done, filter: v.filter };
  }

  /** Stops the index scan; the rows found so far stay readable and are still validated. */
  cancelIndex(): boolean {
    if (this.indexState.done) return false;
    this.indexAbort.abort();
    return true;
  }

  /** Replaces the view; its pass streams `view` events. */
  setFilter(filter: ViewFilter): ViewInfo {
    this.view.stop();
    this.view = this.makeView(filter);
    return this.describeView();
  }

  locate(viewId: number, row: number): number | null {
    return viewId === this.view.id ? this.view.locate(row) : null;
  }

  /** Rows at positions [start, end) of view `viewId` (empty for a view that was replaced). */
  async rows(viewId: number, start: number, end: number): Promise<RowView[]> {
    if (viewId !== this.view.id) return [];
    const view = this.view;
    const indices: number[] = [];
    for (let p = start; p < end; p++) {
      const row = view.rowAt(p);
      if (row === undefined) break;
      indices.push(row);
    }
    const rows = await this.rowCache.read(indices);
    const checker = await this.checker!;
    return Promise.all(rows.map(async (row) => {
      const known = row.index < this.stats.checked ? this.stats.tokens.get(row.index) : undefined;
      const tokens = known === undefined ? checker.tokens(row) : known === NO_TOKENS ? null : known;
      return toRowView(row, await checker.problems(row, this.stats), tokens);
    }));
  }

  /** The screen shows positions [start, end): thumbnails for other rows are skipped. */
  setVisible(viewId: number, start: number, end: number): void {
    if (viewId !== this.view.id) return;
    const rows = new Set<number>();
    for (let p = Math.max(0, start - THUMBNAIL_MARGIN); p < end + THUMBNAIL_MARGIN; p++) {
      const row = this.view.rowAt(p);
      if (row === undefined) break;
      rows.add(row);
    }
    this.visibleRows = rows;
  }

  thumbnail(rowIndex: number, image: number): Promise<ThumbnailResult> {
    return this.thumbQueue.add(rowIndex, () => this.makeThumbnail(rowIndex, image), () => ({ error: 'scrolled away', code: 'skipped' }));
  }

  /** The image as a file to open, or (embedded bytes) a large render for the lightbox. */
  async image(rowIndex: number, image: number): Promise<{ file: string } | { url: string } | { render: Thumbnail }> {
    const ref = await this.imageRef(rowIndex, image);
    if (ref.kind === 'file') return { file: ref.path };
    if (ref.kind === 'url') return { url: ref.url };
    return { render: await this.deps.fullImages.thumbnail({ bytes: ref.bytes }) };
  }

  async line(rowIndex: number): Promise<number | null> {
    const [row] = await this.rowCache.read([rowIndex]);
    return row?.line ?? null;
  }

  /** Validates again with another model or max length (the histogram and too_long follow). */
  revalidate(modelDir: string | null, maxLength: number): void {
    this.params.modelDir = modelDir;
    this.params.maxLength = maxLength;
    this.startValidation();
    this.view.stop();
    this.view = this.makeView(this.view.filter);
    this.events.view(this.describeView());
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.view.stop();
    this.indexAbort.abort();
    this.scanAbort.abort();
    for (const t of [this.indexThrottle, this.validationThrottle, this.viewThrottle]) t.dispose();
    this.waker.wake();
    await this.dataset?.close();
  }

  private makeView(filter: ViewFilter): FilterView {
    const view = new FilterView(this.nextViewId++, filter, {
      rowCount: () => this.dataset?.rowCount ?? 0,
      rows: (a, b) => this.dataset.rows(a, b),
      stats: () => this.stats,
      scanFinished: () => this.scanDone,
      indexFinished: () => this.indexState.done,
      waker: this.waker,
    });
    this.visibleRows = new Set();
    void view.run(() => { if (view === this.view) this.viewThrottle.call(); }).catch((error: unknown) => this.deps.log(`dataset preview: filter failed: ${errorText(error)}`));
    return view;
  }

  private indexProgress(p: IndexProgress): void {
    this.indexState = { ...this.indexState, rowsFound: p.rowsFound, bytesScanned: p.bytesScanned, totalBytes: p.totalBytes, done: this.indexState.done || p.done };
    // Progress from inside openDataset (before it returns, or when it fails): recorded, not posted.
    if (!this.dataset || this.disposed) return;
    this.indexThrottle.call();
    if (this.view.identity) this.viewThrottle.call();
    this.waker.wake();
  }

  private indexSettled(error: unknown): void {
    if (this.disposed) return;
    const cancelled = error !== null && isAbort(error);
    const message = error === null || cancelled ? null : errorText(error);
    if (message) this.deps.log(`dataset preview: indexing ${this.params.path} failed: ${message}`);
    this.indexState = { ...this.indexState, rowsFound: this.dataset.rowCount, done: true, cancelled, error: message };
    this.indexThrottle.call();
    this.indexThrottle.flush();
    this.viewThrottle.call();
    this.waker.wake();
  }

  private startValidation(): void {
    this.scanAbort.abort();
    const abort = (this.scanAbort = new AbortController());
    const stats = (this.stats = new RowStats());
    this.scanDone = false;
    this.scanError = null;
    const settings = { modelDir: this.params.modelDir, maxLength: this.params.maxLength };
    this.checker = createChecker(this.dataset, settings, this.deps.log).catch((error: unknown) => {
      // A model folder that cannot count tokens: say so, and fall back to the estimate.
      this.events.notice({ kind: 'error', message: `${errorText(error)}; token lengths are estimated instead` });
      this.params.modelDir = null;
      return createChecker(this.dataset, { ...settings, modelDir: null }, this.deps.log);
    });
    const checker = this.checker;
    this.validationState = this.describeValidation();
    void (async () => {
      try {
        await scanRows(this.dataset, await checker, stats, { signal: abort.signal, onBatch: () => { this.validationThrottle.call(); this.waker.wake(); } });
      } catch (error) {
        if (isAbort(error) || abort.signal.aborted) return;
        this.scanError = errorText(error);
        this.deps.log(`dataset preview: validating ${this.params.path} failed: ${this.scanError}`);
      }
      if (abort.signal.aborted) return;
      this.scanDone = true;
      this.validationThrottle.call();
      this.validationThrottle.flush();
      this.waker.wake();
    })();
    this.basis = null;
    void checker.then((c) => {
      if (abort.signal.aborted) return;
      this.basis = { tokenBasis: uiWording(c.counter.basis), imageTokensPerImage: c.validator.imageTokensPerImage };
      this.validationThrottle.call();
    }, () => undefined);
  }

  private describeValidation(): ValidationState {
    const { modelDir, maxLength } = this.params;
    const scan = { totalRows: this.dataset.rowCount, done: this.scanDone, error: this.scanError, modelDir, maxLength };
    return (this.validationState = validationStateOf(this.stats, scan, this.basis));
  }

  private async imageRef(rowIndex: number, image: number): Promise<ImageRef> {
    const [row] = await this.rowCache.read([rowIndex]);
    const ref = row?.images[image];
    if (!ref) throw new Error(`row ${rowIndex} has no image ${image + 1}`);
    return ref;
  }

  private async makeThumbnail(rowIndex: number, image: number): Promise<ThumbnailResult> {
    return thumbnailResult(this.deps.thumbnails, await this.imageRef(rowIndex, image));
  }


  /** After open: do the first rows' image paths resolve at all? If none does, the panel offers to choose the folder. */
  checkImageRoot(): Promise<Notice | null> {
    return unresolvedImagesNotice(this.dataset);
  }
}

