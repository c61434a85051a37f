import { open } from 'node:fs/promises';
import { parseEventLine, type WorkerEvent } from './events';

export interface BadLine {
  offset: number;
  reason: string;
  text: string;
}

export interface TailRead {
  events: WorkerEvent[];
  bad: BadLine[];
  /** The file shrank below what was read (replaced or truncated): reading restarted at 0. */
  restarted: boolean;
}

const CHUNK = 1 << 20;

/**
 * Incremental reader of events.jsonl: each `read()` parses only bytes appended since the last one and
 * keeps a partial last line (the worker is mid-write) for the next call. A missing file reads as empty.
 */
export class EventsTail {
  private offset: number;
  private partial = Buffer.alloc(0);

  constructor(readonly file: string, startOffset = 0) {
    this.offset = startOffset;
  }

  /** Byte offset up to which lines have been consumed (partial line excluded). */
  get position(): number {
    return this.offset - this.partial.length;
  }

  async read(): Promise<TailRead> {
    const result: TailRead = { events: [], bad: [], restarted: false };
    let handle;
    try {
      handle = await open(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return result;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      if (size < this.offset) {
        this.offset = 0;
        this.partial = Buffer.alloc(0);
        result.restarted = true;
      }
      while (this.offset < size) {
        const buffer = Buffer.alloc(Math.min(CHUNK, size - this.offset));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) break;
        const start = this.offset - this.partial.length;
        this.offset += bytesRead;
        const data = Buffer.concat([this.partial, buffer.subarray(0, bytesRead)]);
        const lastNewline = data.lastIndexOf(0x0a);
        this.partial = lastNewline < 0 ? data : data.subarray(lastNewline + 1);
        if (lastNewline < 0) continue;
        let lineStart = 0;
        while (lineStart <= lastNewline) {
          const end = data.indexOf(0x0a, lineStart);
          const text = data.subarray(lineStart, end).toString('utf8').replace(/\r$/, '');
          const offset = start + lineStart;
          lineStart = end + 1;
          if (text.trim() === '') continue;
          try {
            result.events.push(parseEventLine(text, offset));
          } catch (error) {
            result.bad.push({ offset, reason: (error as Error).message, text: text.slice(0, 200) });
          }
        }
      }
    } finally {
      await handle.close();
    }
    return result;
  }
}
