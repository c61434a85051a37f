// Checks the data CRCs of a run of small records with one native CRC over the run instead of one per record.
//
// A napi call costs about as much as a JS table CRC of 250 bytes, and event records are mostly ~50 bytes,
// so neither per-record route is cheap. But CRCs compose: crc(A‖B) = shift(crc(A), |B|) ^ crc(B), where
// shift multiplies by x^(8|B|) mod P. So from each record's *stored* CRC we can predict the CRC of the whole
// run; if one native pass over the run agrees, every record in it is intact (a corrupted record changes the
// run's CRC exactly as it would its own, since shift is invertible). If not, the caller re-checks one by one.
import { CRC_TABLE, crc32cTable, maskCrc, unmaskCrc } from './crc32c';

const POLY = 0x82f63b78;

// Module-local bindings for the per-record path: where this runs as CommonJS (tsx, the benchmarks),
// every use of an imported name is a getter call, which showed up at ~10% of a full parse.
const crcTable = CRC_TABLE;
const unmask = unmaskCrc;

/** Records up to this long are batched; their per-length tables are built on first sight. */
export const BATCH_MAX_DATA_BYTES = 4096;
/** Distinct lengths we keep tables for (4 KiB each); lengths beyond it are checked one by one. */
const MAX_CACHED_LENGTHS = 512;

/** Per data-length constants. */
export interface RecordCrcShape {
  /** Masked CRC a valid header for this length stores. */
  headerCrc: number;
  /** The header's share of the record CRC: crc(length ‖ header crc) shifted past data and footer. */
  headerTerm: number;
  /** Byte tables of "shift by the whole record" (data + 16 bytes of framing). */
  shiftTable: Int32Array;
}

// Filled with null up front: reading a hole in a sparse array is a slow lookup on V8.
const shapes: (RecordCrcShape | null)[] = new Array<RecordCrcShape | null>(BATCH_MAX_DATA_BYTES + 1).fill(null);
let cachedShapes = 0;

/**
 * Constants for records with `dataLength` bytes of data, or null when that length isn't batched.
 * Tables are only built for a header that checks out, so damaged files cannot fill the cache.
 */
export function recordCrcShape(dataLength: number, storedHeaderCrc: number): RecordCrcShape | null {
  if (dataLength > BATCH_MAX_DATA_BYTES) return null;
  const known = shapes[dataLength]!;
  if (known !== null || cachedShapes >= MAX_CACHED_LENGTHS) return known;
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  view.setUint32(0, dataLength, true);
  const headerCrc = maskCrc(crc32cTable(header, 0, 8));
  if (headerCrc !== storedHeaderCrc) return null;
  view.setUint32(8, headerCrc, true);
  const shape = {
    headerCrc,
    headerTerm: multModP(x8nModP(dataLength + 4), crc32cTable(header, 0, 12)),
    shiftTable: shiftTableFor(dataLength + 16),
  };
  shapes[dataLength] = shape;
  cachedShapes++;
  return shape;
}

/** The CRC of (run ‖ record), given the run's CRC and the record's stored (masked) data CRC. */
export function foldRecordCrc(runCrc: number, shape: RecordCrcShape, storedDataCrc: number): number {
  const t = crcTable;
  // crc of the 4 footer bytes themselves (slicing-by-4 over the stored word)
  const c = ~storedDataCrc;
  const footerCrc = ~(t[768 + (c & 0xff)]! ^ t[512 + ((c >>> 8) & 0xff)]! ^ t[256 + ((c >>> 16) & 0xff)]! ^ t[c >>> 24]!);
  return (
    applyShift(shape.shiftTable, runCrc) ^
    shape.headerTerm ^
    applyShift(SHIFT_4, unmask(storedDataCrc)) ^
    footerCrc
  ) >>> 0;
}

function applyShift(table: Int32Array, crc: number): number {
  return (
    table[crc & 0xff]! ^
    table[256 + ((crc >>> 8) & 0xff)]! ^
    table[512 + ((crc >>> 16) & 0xff)]! ^
    table[768 + (crc >>> 24)]!
  );
}

/** shift(crc, n) is linear in crc, so four byte tables compute it: table[k*256+b] = shift(b << 8k). */
function shiftTableFor(byteCount: number): Int32Array {
  const factor = x8nModP(byteCount);
  const table = new Int32Array(1024);
  for (let k = 0; k < 4; k++) {
    for (let bit = 0; bit < 8; bit++) table[k * 256 + (1 << bit)] = multModP(factor, (1 << (8 * k + bit)) >>> 0);
    for (let b = 3; b < 256; b++) {
      const low = b & -b;
      if (low !== b) table[k * 256 + b] = table[k * 256 + low]! ^ table[k * 256 + (b ^ low)]!;
    }
  }
  return table;
}

// GF(2) polynomial arithmetic modulo the CRC32C polynomial, bit-reflected (zlib's crc32_combine).

function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) mod P for k = 0..31. */
const X2N = (() => {
  const table: number[] = [];
  let p = 0x40000000; // x^1
  for (let k = 0; k < 32; k++) {
    table.push(p);
    p = multModP(p, p);
  }
  return table;
})();

/** x^(8n) mod P: the factor that appends n zero bytes. */
function x8nModP(n: number): number {
  let p = 0x80000000; // x^0
  for (let k = 3; n > 0; n = Math.floor(n / 2), k++) if (n & 1) p = multModP(X2N[k & 31]!, p);
  return p;
}

/** Shift by the 4-byte footer, used for every record. */
const SHIFT_4 = shiftTableFor(4);
