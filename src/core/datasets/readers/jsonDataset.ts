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
import { invalidJsonRow, normalizeRecord, type NormalizeContext } from '../rows/normalize';
import type { Dataset, DatasetFormat, DatasetRow, IndexProgress, OpenOptions } from '../types';
import { ProgressHub } from './progressHub';

type Handle = Awaited<ReturnType<typeof open>>;

const decoder = new TextDecoder('utf-8');

export class JsonDataset implements Dataset {
  readonly splits: readonly string[] = [];
  readonly split = null;
  readonly done: Promise<number>;
  private readonly indexer: ByteIndexer;
  private readonly hub: ProgressHub;
  private handle: Promise<Handle> | null = null;
  private finished = false;
  context: NormalizeContext;

  constructor(readonly path: string, public format: DatasetFormat, readonly totalBytes: number, imageRoot: string, options: OpenOptions) {
    const chunkBytes = normalizeChunkBytes(options.chunkBytes);
    this.indexer = format.endsWith('-jsonl') ? new JsonlIndexer(chunkBytes) : new JsonArrayIndexer(path, chunkBytes);
    this.context = { imageRoot, mapping: options.mapping };
    this.hub = new ProgressHub(totalBytes, () => this.indexer.readyRows);
    if (options.onProgress) this.hub.on(options.onProgress);
    const scan = scanFile(path, this.indexer, { signal: options.signal, onProgress: (p) => this.hub.emit(p) });
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
    const from = Math.max(0, Math.floor(start));
    const to = Math.min(this.indexer.readyRows, Math.floor(end));
    if (to <= from) return [];
    const offsets = this.indexer.offsets;
    const first = offsets.start(from);
    const bytes = await this.read(first, this.indexer.rowEnd(to - 1));
    const rows: DatasetRow[] = [];
    for (let row = from; row < to; row++) {
      const begin = offsets.start(row) - first;
      const finish = trimRowEnd(bytes, begin, this.indexer.rowEnd(row) - first);
      rows.push(this.parse(bytes.toString('utf8', begin, finish), row, offsets.line(row), offsets.start(row)));
    }
    return rows;
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
    if (handle) await (await handle).close();
  }

  private parse(text: string, row: number, line: number, fileOffset: number): DatasetRow {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return invalidJsonRow(row, line, describeParseError((error as Error).message, text, line, fileOffset));
    }
    return normalizeRecord(value, row, line, this.context);
  }

  private async read(from: number, to: number): Promise<Buffer> {
    this.handle ??= open(this.path, 'r');
    const handle = await this.handle;
    const bytes = Buffer.allocUnsafe(to - from);
    let got = 0;
    while (got < bytes.length) {
      const { bytesRead } = await handle.read(bytes, got, bytes.length - got, from + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return bytes.subarray(0, got);
  }
}

/** V8's parse message with the position turned into a file byte offset and line. */
function describeParseError(message: string, text: string, firstLine: number, fileOffset: number): string {
  const short = message.replace(/^JSON\.parse: /, '').replace(/\s*\(line \d+ column \d+ of the JSON data\)/, '');
  const match = /at position (\d+)/.exec(message);
  if (!match) return `${short.slice(0, 160)} (row starts at byte ${fileOffset})`;
  const prefix = text.slice(0, Number(match[1]));
  const byte = fileOffset + Buffer.byteLength(prefix);
  const line = firstLine + (prefix.match(/\n/g)?.length ?? 0);
  return `${short.replace(/ at position \d+.*$/, '').slice(0, 160)} at byte ${byte} (line ${line})`;
}
