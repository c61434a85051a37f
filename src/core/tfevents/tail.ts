// Incremental reader of one event file: each poll decodes only what was appended since the last.
import { EventDecoder } from './event-decoder';
import { nodeEventFile, type EventFileHandle, type OpenEventFile } from './file-source';
import { scanRecords } from './record-scanner';
import type { Damage, EventFileDelta } from './types';

export interface EventFileTailOptions {
  /** Read size; a record longer than this gets a buffer of its own size (checked against the file first). */
  chunkBytes?: number;
}

/** 4 MiB: large enough that per-read overhead vanishes, small enough that a huge file never needs one giant buffer. */
const DEFAULT_CHUNK_BYTES = 4 << 20;

export class EventFileTail {
  private readonly open: OpenEventFile;
  private readonly chunkBytes: number;
  private readonly decoder = new EventDecoder();
  /** File offset of the first record not yet consumed (or of the damage). */
  private offset = 0;
  private identity: string | null = null;
  private damage: Damage | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private totalBytesRead = 0;

  constructor(file: string | OpenEventFile, options: EventFileTailOptions = {}) {
    this.open = typeof file === 'string' ? nodeEventFile(file) : file;
    this.chunkBytes = Math.max(64, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  }

  /** Offset just past the last whole valid record read so far. */
  get position(): number {
    return this.offset;
  }

  /** Bytes read from the file by all polls so far. */
  get bytesRead(): number {
    return this.totalBytesRead;
  }

  /**
   * Reads what was appended since the previous poll. Concurrent calls run one after another.
   * Rejects when the file cannot be opened (e.g. it was deleted); a later poll may succeed.
   */
  poll(): Promise<EventFileDelta> {
    const result = this.queue.then(() => this.pollNow());
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async pollNow(): Promise<EventFileDelta> {
    const file = await this.open();
    try {
      const reset = this.identity !== null && (file.identity !== this.identity || file.size < this.offset);
      if (reset) {
        this.offset = 0;
        this.damage = null;
        this.decoder.forgetFile();
      }
      this.identity = file.identity;
      const decoded = this.decoder.begin();
      // Past damage we never read again: the file is dead from there unless it is replaced.
      if (this.damage === null) await this.readAppended(file);
      return { ...decoded, damage: this.damage, reset };
    } finally {
      await file.close();
    }
  }

  private async readAppended(file: EventFileHandle): Promise<void> {
    const size = file.size;
    if (size <= this.offset) return;
    let buffer = Buffer.allocUnsafe(Math.min(this.chunkBytes, size - this.offset));
    let view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    let bufferStart = this.offset;
    let filled = 0;
    for (;;) {
      const want = Math.min(buffer.length - filled, size - (bufferStart + filled));
      const got = want > 0 ? await file.read(buffer, filled, want, bufferStart + filled) : 0;
      this.totalBytesRead += got;
      filled += got;
      const scan = scanRecords(buffer, view, 0, filled, this.decoder);
      this.offset = bufferStart + scan.end;
      if (scan.damage !== null) {
        this.damage = { offset: this.offset, reason: scan.damage };
        return;
      }
      // The incomplete record is not written yet unless the file (as of open) already holds all of it.
      const complete = this.offset + scan.needed <= size;
      if (got === 0 || !complete) return;
      const kept = filled - scan.end;
      if (scan.needed > buffer.length) {
        const larger = Buffer.allocUnsafe(scan.needed);
        larger.set(buffer.subarray(scan.end, filled));
        buffer = larger;
        view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } else buffer.copyWithin(0, scan.end, filled);
      bufferStart = this.offset;
      filled = kept;
    }
  }
}
