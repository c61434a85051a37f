// Interns summary tags by their bytes so the hot loop never decodes the same tag string twice.
import type { ScalarSeries } from './types';

const utf8 = new TextDecoder('utf-8');

/** What one file has told us about one tag. */
export class TagState {
  /** The tag's plugin; TF2 writes metadata only on a tag's first value in a file, so we remember it. */
  plugin: string | null = null;
  /** The series this tag appends to in the delta being built; valid while `epoch` matches. */
  series: ScalarSeries | null = null;
  epoch = -1;
  readonly name: string;
  readonly length: number;
  /** The tag's bytes as little-endian 32-bit words (whole words only), compared four bytes at a time. */
  readonly words: Int32Array;
  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.length = bytes.length;
    this.name = utf8.decode(bytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.words = Int32Array.from({ length: bytes.length >>> 2 }, (_, i) => view.getInt32(4 * i, true));
  }

  /** Whether bytes[start, start + length) spell this tag. */
  matches(bytes: Uint8Array, view: DataView, start: number, length: number): boolean {
    if (this.length !== length) return false;
    const words = this.words;
    for (let i = 0; i < words.length; i++) if (view.getInt32(start + 4 * i, true) !== words[i]) return false;
    for (let i = words.length * 4; i < length; i++) if (bytes[start + i] !== this.bytes[i]) return false;
    return true;
  }
}

const BUCKETS = 64;

/**
 * Tags are bucketed by length: within one file few tags share a length, so a lookup is usually one
 * word-wise comparison, far cheaper than hashing the bytes into a Map on every record.
 */
export class TagTable {
  private buckets: TagState[][] = emptyBuckets();

  /** The state for the tag spelled by bytes[start, end), created on first sight. */
  lookup(bytes: Uint8Array, view: DataView, start: number, end: number): TagState {
    const length = end - start;
    const bucket = this.buckets[length % BUCKETS]!;
    for (let i = 0; i < bucket.length; i++) {
      const state = bucket[i]!;
      if (state.matches(bytes, view, start, length)) return state;
    }
    // A copy: the bytes live in a read buffer that is reused (and Buffer#slice would not copy).
    const state = new TagState(new Uint8Array(bytes.subarray(start, end)));
    bucket.push(state);
    return state;
  }

  clear(): void {
    this.buckets = emptyBuckets();
  }
}

function emptyBuckets(): TagState[][] {
  return Array.from({ length: BUCKETS }, () => []);
}
