/**
 * Message index of an Arrow IPC stream (what `datasets.save_to_disk` writes as data-*.arrow): where
 * the schema, dictionary and record-batch messages are and how many rows each batch has. Only the
 * small flatbuffer headers are read; batch bodies are read later, one batch at a time, so a 500 MB
 * shard never sits in memory whole.
 */
import { open } from 'node:fs/promises';
import { DatasetError } from '../types';

export interface ArrowBatchRef {
  offset: number;
  length: number;
  rows: number;
}

export interface ArrowStreamIndex {
  schema: { offset: number; length: number };
  dictionaries: { offset: number; length: number }[];
  batches: ArrowBatchRef[];
  rows: number;
}

const HEADER_SCHEMA = 1;
const HEADER_DICTIONARY = 2;
const HEADER_RECORD_BATCH = 3;

/** Reads field `field` of the flatbuffer table at `table`; returns the field's absolute position or -1. */
function fieldPos(view: DataView, table: number, field: number): number {
  const vtable = table - view.getInt32(table, true);
  const vtableSize = view.getUint16(vtable, true);
  const slot = 4 + field * 2;
  if (slot >= vtableSize) return -1;
  const offset = view.getUint16(vtable + slot, true);
  return offset === 0 ? -1 : table + offset;
}

const readInt64 = (view: DataView, pos: number): number => (pos < 0 ? 0 : Number(view.getBigInt64(pos, true)));

function parseMessage(meta: Uint8Array): { header: number; bodyLength: number; rows: number } {
  const view = new DataView(meta.buffer, meta.byteOffset, meta.byteLength);
  const root = view.getUint32(0, true);
  const headerTypePos = fieldPos(view, root, 1);
  const header = headerTypePos < 0 ? 0 : view.getUint8(headerTypePos);
  const bodyLength = readInt64(view, fieldPos(view, root, 3));
  let rows = 0;
  if (header === HEADER_RECORD_BATCH) {
    const headerPos = fieldPos(view, root, 2);
    if (headerPos >= 0) rows = readInt64(view, fieldPos(view, headerPos + view.getUint32(headerPos, true), 0));
  }
  return { header, bodyLength, rows };
}

export async function indexArrowStream(path: string): Promise<ArrowStreamIndex> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const word = Buffer.alloc(8);
    const readAt = async (target: Uint8Array, position: number): Promise<number> =>
      (await handle.read(target, 0, target.length, position)).bytesRead;
    let position = 0;
    // The Arrow *file* format wraps the same stream in "ARROW1" magic + padding.
    if ((await readAt(word, 0)) >= 6 && word.subarray(0, 6).toString('latin1') === 'ARROW1') position = 8;
    const index: ArrowStreamIndex = { schema: { offset: -1, length: 0 }, dictionaries: [], batches: [], rows: 0 };
    while (position + 4 <= size) {
      const start = position;
      const got = await readAt(word, position); // 8 bytes: marker + length, or (pre-0.15 streams) length + metadata
      if (got < 4) break;
      let metaLength = word.readInt32LE(0);
      let prefix = 4;
      if (metaLength === -1) { // continuation marker (Arrow ≥ 0.15), then the length
        if (got < 8) break;
        metaLength = word.readInt32LE(4);
        prefix = 8;
      }
      if (metaLength === 0) break; // end-of-stream marker
      if (metaLength < 0 || start + prefix + metaLength > size) {
        throw new DatasetError(`arrow stream damaged: message at byte ${start} claims ${metaLength} header bytes (file is ${size} bytes)`, path, start);
      }
      const meta = Buffer.alloc(metaLength);
      await readAt(meta, start + prefix);
      const message = parseMessage(meta);
      const length = prefix + metaLength + message.bodyLength;
      if (start + length > size) {
        throw new DatasetError(`truncated arrow file: message at byte ${start} needs ${length} bytes, file ends at byte ${size}`, path, size);
      }
      if (message.header === HEADER_SCHEMA) index.schema = { offset: start, length };
      else if (message.header === HEADER_DICTIONARY) index.dictionaries.push({ offset: start, length });
      else if (message.header === HEADER_RECORD_BATCH) {
        index.batches.push({ offset: start, length, rows: message.rows });
        index.rows += message.rows;
      }
      position = start + length;
    }
    if (index.schema.offset < 0) throw new DatasetError(`not an arrow stream: no schema message in ${path}`, path, 0);
    return index;
  } finally {
    await handle.close();
  }
}
