// TFRecord framing: [u64 length][u32 masked crc of length][data][u32 masked crc of data], all LE.
import { crc32c, crc32cNative, crc32cTable, hex32, maskCrc } from './crc32c';
import { foldRecordCrc, recordCrcShape } from './crc32c-batch';
import type { EventDecoder } from './event-decoder';

/** Bytes of framing around each record's data. */
export const RECORD_OVERHEAD = 16;
const HEADER_BYTES = 12;

/** Protobuf messages cannot exceed 2 GiB, so a longer length is damage, not a record still being written. */
export const MAX_RECORD_BYTES = 2 ** 31 - 1;

// Module-local bindings: as CommonJS (tsx, the benchmarks) each use of an import is a getter call.
const shapeFor = recordCrcShape;
const fold = foldRecordCrc;
const crcOfRun = crc32cNative;

/** Small records are CRC-checked in runs of about this many bytes (see crc32c-batch.ts); fits in L2. */
const RUN_BYTES = 64 * 1024;

export interface ScanResult {
  /** Offset just past the last whole, valid record. */
  end: number;
  /** Why the record at `end` is unreadable; null when it is merely incomplete or absent. */
  damage: string | null;
  /** Bytes the record at `end` needs in all (header only, or whole record) when it is incomplete. */
  needed: number;
}

/**
 * Checks and decodes the records in bytes[start, end). Stops at the first damaged record or at an
 * incomplete one (a file still being written), reporting which. Never allocates from a length field.
 * Records are decoded only after their CRC checked out, so a damaged record contributes nothing.
 */
export function scanRecords(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  decoder: EventDecoder,
): ScanResult {
  let pos = start;
  for (;;) {
    // Frame a run of small records, checking each header and predicting the run's CRC.
    const runStart = pos;
    let runCrc = 0;
    while (pos - runStart < RUN_BYTES && end - pos >= HEADER_BYTES && view.getUint32(pos + 4, true) === 0) {
      const storedHeaderCrc = view.getUint32(pos + 8, true);
      const shape = shapeFor(view.getUint32(pos, true), storedHeaderCrc);
      if (shape === null || storedHeaderCrc !== shape.headerCrc) break;
      const next = recordEnd(view, pos);
      if (next > end) break;
      runCrc = fold(runCrc, shape, view.getUint32(next - 4, true));
      pos = next;
    }
    if (pos > runStart) {
      if (crcOfRun(bytes, runStart, pos) === runCrc) decodeRun(bytes, view, runStart, pos, decoder);
      else {
        const damage = checkOneByOne(bytes, view, runStart, pos, decoder);
        if (damage !== null) return damage;
      }
      continue;
    }
    // Anything else (a big record, an incomplete or damaged one) goes through the exact path.
    const stop = checkRecord(bytes, view, pos, end);
    if (stop !== null) return stop;
    const next = recordEnd(view, pos);
    decoder.decodeEvent(bytes, view, pos + HEADER_BYTES, next - 4);
    pos = next;
  }
}

function recordEnd(view: DataView, pos: number): number {
  return pos + RECORD_OVERHEAD + view.getUint32(pos, true);
}

/** Decodes records of a run whose CRC checked out. */
function decodeRun(bytes: Uint8Array, view: DataView, pos: number, end: number, decoder: EventDecoder): void {
  while (pos < end) {
    const next = recordEnd(view, pos);
    decoder.decodeEvent(bytes, view, pos + HEADER_BYTES, next - 4);
    pos = next;
  }
}

/** A run failed its CRC: find the bad record, keeping the ones before it. */
function checkOneByOne(
  bytes: Uint8Array,
  view: DataView,
  pos: number,
  end: number,
  decoder: EventDecoder,
): ScanResult | null {
  for (; pos < end; pos = recordEnd(view, pos)) {
    const result = checkRecord(bytes, view, pos, end);
    if (result !== null) return result;
    decoder.decodeEvent(bytes, view, pos + HEADER_BYTES, recordEnd(view, pos) - 4);
  }
  return null;
}

/** Null when a whole valid record starts at `pos`; otherwise why the scan stops there. */
function checkRecord(bytes: Uint8Array, view: DataView, pos: number, end: number): ScanResult | null {
  if (end - pos < HEADER_BYTES) return { end: pos, damage: null, needed: HEADER_BYTES };
  const lengthLow = view.getUint32(pos, true);
  const lengthHigh = view.getUint32(pos + 4, true);
  const storedHeaderCrc = view.getUint32(pos + 8, true);
  const headerCrc = maskCrc(crc32cTable(bytes, pos, pos + 8));
  if (storedHeaderCrc !== headerCrc) {
    const reason = `length crc mismatch: stored ${hex32(storedHeaderCrc)}, computed ${hex32(headerCrc)}`;
    return { end: pos, damage: reason, needed: 0 };
  }
  if (lengthHigh !== 0 || lengthLow > MAX_RECORD_BYTES) {
    const length = (BigInt(lengthHigh) << 32n) | BigInt(lengthLow);
    return { end: pos, damage: `impossible length: ${length}`, needed: 0 };
  }
  const recordEnd = pos + RECORD_OVERHEAD + lengthLow;
  if (recordEnd > end) return { end: pos, damage: null, needed: RECORD_OVERHEAD + lengthLow };
  const storedDataCrc = view.getUint32(recordEnd - 4, true);
  const dataCrc = maskCrc(crc32c(bytes, pos + HEADER_BYTES, recordEnd - 4));
  if (storedDataCrc !== dataCrc) {
    const reason = `data crc mismatch: stored ${hex32(storedDataCrc)}, computed ${hex32(dataCrc)}`;
    return { end: pos, damage: reason, needed: 0 };
  }
  return null;
}
