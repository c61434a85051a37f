// CRC32C (Castagnoli) as TFRecord uses it, plus the record-format mask.
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

const POLY = 0x82f63b78;
const MASK_DELTA = 0xa282ead8;

/**
 * Below this many bytes the JS table wins: a napi call costs ~250 ns on the machines we measured,
 * which is what the table needs for ~250 bytes. Above it the native SIMD code is 5x faster.
 */
const NATIVE_MIN_BYTES = 256;

/** Slicing-by-8 tables: TABLE[k * 256 + b] is the CRC of byte b followed by k zero bytes. */
export const CRC_TABLE: Int32Array = buildSlicingTable();

function buildSlicingTable(): Int32Array {
  const table = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    table[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = table[n]!;
    for (let k = 1; k < 8; k++) {
      c = table[c & 0xff]! ^ (c >>> 8);
      table[k * 256 + n] = c;
    }
  }
  return table;
}

/** CRC32C of bytes[start, end) in pure JS (no napi hop); fast enough for small records. */
export function crc32cTable(bytes: Uint8Array, start: number, end: number): number {
  const t = CRC_TABLE;
  let c = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC32C of bytes[start, end): JS table for small spans, native SIMD for large ones. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (end - start < NATIVE_MIN_BYTES) return crc32cTable(bytes, start, end);
  return nativeCrc32c(bytes.subarray(start, end)) >>> 0;
}

/** CRC32C of bytes[start, end), always native: one call over a large window. */
export function crc32cNative(bytes: Uint8Array, start: number, end: number): number {
  return nativeCrc32c(bytes.subarray(start, end)) >>> 0;
}

/** TFRecord stores CRCs masked so that a CRC of data that itself holds CRCs stays well mixed. */
export function maskCrc(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
}

export function unmaskCrc(masked: number): number {
  const rotated = (masked - MASK_DELTA) >>> 0;
  return ((rotated >>> 17) | (rotated << 15)) >>> 0;
}

/** `0x1234abcd`, the form damage reasons use. */
export function hex32(value: number): string {
  return '0x' + (value >>> 0).toString(16).padStart(8, '0');
}
