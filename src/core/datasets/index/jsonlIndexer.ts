/**
 * Row index of a JSON Lines file: one row per non-blank line. Newlines are found with Buffer.indexOf
 * (memchr), so the JS work is per line, not per byte. Whether a line is valid JSON is decided when
 * the row is read (invalid_json with its line number), never here.
 */
import type { ByteIndexer } from './byteIndexer';
import { isJsonSpace } from './byteIndexer';
import { RowOffsets } from './rowOffsets';

export class JsonlIndexer implements ByteIndexer {
  readonly offsets = new RowOffsets();
  private readonly slots: [Buffer, Buffer];
  /** Line number (1-based) of the byte at the scan position. */
  private line = 1;
  /** Start of the current line, and whether a non-blank byte was seen on it yet. */
  private lineStart = 0;
  private lineHasRow = false;
  private lastEnd = -1;
  private fileSize = -1;

  constructor(chunkBytes: number) {
    this.slots = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)];
  }

  chunkBuffer(slot: 0 | 1): Uint8Array {
    return this.slots[slot];
  }

  get readyRows(): number {
    const count = this.offsets.count;
    return this.fileSize >= 0 || !this.lineHasRow ? count : Math.max(0, count - 1);
  }

  rowEnd(row: number): number {
    if (row + 1 < this.offsets.count) return this.offsets.start(row + 1);
    return this.fileSize >= 0 ? this.fileSize : this.lastEnd;
  }

  consume(slot: 0 | 1, length: number, fileOffset: number): void {
    const bytes = this.slots[slot];
    let i = 0;
    while (i < length) {
      if (!this.lineHasRow) {
        // Skip leading whitespace of the line; the first other byte makes it a row.
        while (i < length && isJsonSpace(bytes[i]!) && bytes[i] !== 0x0a) i++;
        if (i === length) break;
        if (bytes[i] !== 0x0a) {
          this.offsets.push(this.lineStart, this.line);
          this.lineHasRow = true;
        }
      }
      const newline = bytes.indexOf(0x0a, i);
      if (newline < 0 || newline >= length) break;
      if (this.lineHasRow) this.lastEnd = fileOffset + newline;
      this.line++;
      this.lineStart = fileOffset + newline + 1;
      this.lineHasRow = false;
      i = newline + 1;
    }
  }

  finish(fileSize: number): void {
    this.fileSize = fileSize;
  }
}
