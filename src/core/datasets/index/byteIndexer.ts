import type { RowOffsets } from './rowOffsets';

/**
 * Builds a row index from a file read in chunks. The driver (scanFile) reads chunk k+1 into the
 * other slot while chunk k is consumed, so reading and scanning overlap.
 */
export interface ByteIndexer {
  readonly offsets: RowOffsets;
  /** Where the driver reads the chunk for `slot`; its length is the chunk size (a multiple of 64). */
  chunkBuffer(slot: 0 | 1): Uint8Array;
  /** Indexes `length` bytes in `slot` that start at `fileOffset`. Throws DatasetError on structural damage. */
  consume(slot: 0 | 1, length: number, fileOffset: number): void;
  /** End of file at `fileSize`; throws DatasetError when the file stops mid-row. */
  finish(fileSize: number): void;
  /** Rows whose byte range is known (the last row found may still be open). */
  readonly readyRows: number;
  /** Exclusive end of `row`'s bytes; may include the separator that follows (callers trim it). */
  rowEnd(row: number): number;
}

export const isJsonSpace = (byte: number): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/** End of a row's JSON text inside [start, end): drops trailing whitespace and one separating comma. */
export function trimRowEnd(bytes: Uint8Array, start: number, end: number): number {
  let last = end;
  while (last > start && isJsonSpace(bytes[last - 1]!)) last--;
  if (last > start && bytes[last - 1] === 0x2c) last--;
  return last;
}

/** One byte as it would appear in an error message. */
export function showByte(byte: number): string {
  if (byte >= 0x20 && byte < 0x7f) return `'${String.fromCharCode(byte)}'`;
  return `0x${byte.toString(16).padStart(2, '0')}`;
}
