/**
 * LLaVA JSON arrays and JSON Lines files of any size: a background scan builds the byte-offset index
 * (12 B/row), and `rows()` reads and parses only the requested rows' bytes.
 */
import { open } from 'node:fs/promises';
import type { ByteIndexer } from '../index/byteIndexer';
import { trimRowEnd } from '../index/byteIndexer';
import { JsonArrayIndexer } from '../index/jsonArrayIndexer';
import { JsonlIndexer } from '../index/jsonlIndexer';
import { normalizeChunkBytes, scanFile } from '../index/scanFile';
import type { NormalizeContext } from '../rows/normalize';
import type { Dataset, DatasetFormat, DatasetRow, IndexProgress, OpenOptions } from '../types';
import { ProgressHub } from './progressHub';
import { RawRows } from './rawRows';

type Handle = Awaited<ReturnType<typeof open>>;

const decoder = new TextDecoder('utf-8');

export class JsonDataset implements Dataset {
  readonly splits: readonly string[] = [];
  readonly split = null;
  readonly done: Promise<number>;
  private readonly indexer: ByteIndexer;
  private readonly hub: ProgressHub;
  private handle: Promise<Handle> | null = null;
  /** `handle` once open: a read then starts in the caller's turn (validation starts the next page's read, then parses this one). */
  private opened: Handle | null = null;
  private finished = false;
  context: NormalizeContext;

  constructor(readonly path: string, public format: DatasetFormat, readonly totalBytes: number, imageRoot: string, options: OpenOptions) {
    const chunkBytes = normalizeChunkBytes(options.chunkBytes);
    this.indexer = format.endsWith('-jsonl') ? new JsonlIndexer(chunkBytes) : new JsonArrayIndexer(path, chunkBytes);
    this.context = { imageRoot, mapping: options.mapping };
    this.hub = new ProgressHub(totalBytes, () => this.indexer.readyRows);
    if (options.onProgress) this.hub.on(options.onProgress);
    const scan = scanFile(path, this.indexer, { signal: options.signal, onProgress: (p) => this.hub.emit(p), onChunk: () => this.hub.rowsAdded() });
    this.done = scan.then(
      () => { this.finished = true; this.hub.settle(); return this.indexer.readyRows; },
      (error: unknown) => { this.hub.settle(); throw error; },
    );
    this.done.catch(() => undefined); // callers that never await `done` must not crash the process
  }

  get imageRoot(): string {
    return this.context.imageRoot;
  }

  get rowCount(): number {
    return this.indexer.readyRows;
  }

  get complete(): boolean {
    return this.finished;
  }

  waitForRows(count: number): Promise<number> {
    return this.hub.waitFor(count);
  }

  onProgress(listener: (progress: IndexProgress) => void): () => void {
    return this.hub.on(listener);
  }

  async rows(start: number, end: number): Promise<DatasetRow[]> {
    return (await this.rawRows(start, end))?.rows() ?? [];
  }

  /**
   * Rows [start, end) (clamped to the rows indexed so far) as one read, parsed on request; null when
   * none. `scratch`, when large enough, receives the bytes (no fresh pages to fault in per read): the
   * caller must not pass it again while these rows are still parsed.
   */
  async rawRows(start: number, end: number, scratch?: Buffer): Promise<RawRows | null> {
    const from = Math.max(0, Math.floor(start));
    const to = Math.min(this.indexer.readyRows, Math.floor(end));
    if (to <= from) return null;
    const offsets = this.indexer.offsets;
    const first = offsets.start(from);
    const bytes = await this.read(first, this.indexer.rowEnd(to - 1), scratch);
    const count = to - from;
    const starts = new Float64Array(count);
    const ends = new Float64Array(count);
    const lines = new Uint32Array(count);
    for (let k = 0; k < count; k++) {
      starts[k] = offsets.start(from + k) - first;
      ends[k] = trimRowEnd(bytes, starts[k]!, this.indexer.rowEnd(from + k) - first);
      lines[k] = offsets.line(from + k);
    }
    return new RawRows(from, count, this.context, bytes, first, starts, ends, lines);
  }

  /** Row `index` as parsed JSON (before normalization), or undefined when not indexed or not JSON. */
  async record(index: number): Promise<unknown> {
    if (index >= this.indexer.readyRows) return undefined;
    const start = this.indexer.offsets.start(index);
    const bytes = await this.read(start, this.indexer.rowEnd(index));
    try {
      return JSON.parse(decoder.decode(bytes.subarray(0, trimRowEnd(bytes, 0, bytes.length))));
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    this.opened = null;
    if (handle) await (await handle).close();
  }

  private async read(from: number, to: number, scratch?: Buffer): Promise<Buffer> {
    let handle = this.opened;
    if (!handle) {
      const opening = (this.handle ??= open(this.path, 'r'));
      handle = await opening;
      if (this.handle === opening) this.opened = handle;
    }
    const bytes = scratch && scratch.length >= to - from ? scratch.subarray(0, to - from) : Buffer.allocUnsafe(to - from);
    let got = 0;
    while (got < bytes.length) {
      const { bytesRead } = await handle.read(bytes, got, bytes.length - got, from + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return bytes.subarray(0, got);
  }
}
