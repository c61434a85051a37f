/**
 * Feeds a file to a ByteIndexer in fixed-size chunks, reading the next chunk (libuv thread) while the
 * current one is indexed, and yielding to the event loop between chunks so pages can be served while
 * the index grows. Memory: two chunk buffers, whatever the file size.
 */
import { open } from 'node:fs/promises';
import type { IndexProgress } from '../types';
import type { ByteIndexer } from './byteIndexer';

export const DEFAULT_CHUNK_BYTES = 2 << 20;

/** Chunk sizes are whole 64-byte blocks (the SIMD scanner's unit). */
export function normalizeChunkBytes(requested: number | undefined): number {
  const bytes = Math.max(64, Math.floor(requested ?? DEFAULT_CHUNK_BYTES));
  return Math.ceil(bytes / 64) * 64;
}

export interface ScanOptions {
  signal?: AbortSignal;
  /** Called after each chunk (at most every `progressMs`) and once at the end. */
  onProgress?: (progress: IndexProgress) => void;
  progressMs?: number;
  /** Called after every chunk (unthrottled): rows may have become ready. */
  onChunk?: () => void;
}

type Handle = Awaited<ReturnType<typeof open>>;

/** Reads until `target` is full or the file ends (a short read mid-file would break 64-byte alignment). */
async function readFull(handle: Handle, target: Uint8Array, position: number, size: number): Promise<number> {
  const want = Math.min(target.length, size - position);
  let got = 0;
  while (got < want) {
    const { bytesRead } = await handle.read(target, got, want - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

export async function scanFile(path: string, indexer: ByteIndexer, options: ScanOptions = {}): Promise<void> {
  const handle = await open(path, 'r');
  let pending: Promise<number> = Promise.resolve(0);
  try {
    const size = (await handle.stat()).size;
    const report = (done: boolean, bytesScanned: number): void =>
      options.onProgress?.({ rowsFound: indexer.readyRows, bytesScanned, totalBytes: size, done });
    const progressMs = options.progressMs ?? 100;
    let lastReport = 0;
    let position = 0;
    let slot: 0 | 1 = 0;
    pending = readFull(handle, indexer.chunkBuffer(0), 0, size);
    while (position < size) {
      const length = await pending;
      if (length === 0) break;
      options.signal?.throwIfAborted();
      const next = position + length;
      const nextSlot: 0 | 1 = slot === 0 ? 1 : 0;
      pending = next < size ? readFull(handle, indexer.chunkBuffer(nextSlot), next, size) : Promise.resolve(0);
      indexer.consume(slot, length, position);
      position = next;
      slot = nextSlot;
      options.onChunk?.();
      const now = performance.now();
      if (now - lastReport >= progressMs) {
        lastReport = now;
        report(false, position);
      }
    }
    await pending;
    options.signal?.throwIfAborted();
    indexer.finish(position);
    report(true, position);
  } finally {
    await pending.catch(() => 0); // never close under an in-flight read
    await handle.close();
  }
}
