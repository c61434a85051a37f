/**
 * Row index of a top-level JSON array. The SIMD scan (wasm/structuralScan) reports where depth
 * changes at the top two levels; this class turns those events into row starts and checks the few
 * bytes between rows (whitespace, one comma) in JS. Rows that are not objects or arrays (strings,
 * numbers, null) have no bracket events, so the between-rows check picks them up as rows too, and
 * the row model later reports them.
 */
import { DatasetError } from '../types';
import { createWasmMemory, EVENT_INTS, instantiateStructuralScan, ScanEvent, type StructuralScanExports } from '../wasm/structuralScan';
import { isJsonSpace, showByte, type ByteIndexer } from './byteIndexer';
import { RowOffsets } from './rowOffsets';

const enum Phase { Head, Gap, Row, Tail }
const enum Scalar { None, String, Literal }

// Local copies: imported bindings are property reads through a getter under tsx, too slow per event.
const INTS = EVENT_INTS;
const TOP_OPEN = ScanEvent.TopOpen, ROW_START = ScanEvent.RowStart, ROW_END = ScanEvent.RowEnd, ARRAY_END = ScanEvent.ArrayEnd;
const EVENT_CAPACITY = 4096;
const SLACK = 64;

/** True when bytes[from, to) are whitespace around exactly one comma (the usual gap between rows). */
function isCommaGap(bytes: Uint8Array, from: number, to: number): boolean {
  let commas = 0;
  for (let i = from; i < to; i++) {
    const c = bytes[i]!;
    if (c === 0x2c) commas++;
    else if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return commas === 1;
}

export class JsonArrayIndexer implements ByteIndexer {
  readonly offsets = new RowOffsets();
  private readonly wasm: StructuralScanExports;
  private readonly slots: [Uint8Array, Uint8Array];
  private readonly events: Int32Array;
  private readonly eventsPtr: number;
  private phase = Phase.Head;
  /** In Gap: a row may start here (just after '[' or ','). */
  private expectRow = true;
  private commaPending = false;
  private scalar = Scalar.None;
  private escaped = false;
  /** Line at the gap cursor (1-based), counted in JS between events. */
  private line = 1;
  private lastEnd = -1;
  private arrayEnd = -1;

  constructor(private readonly path: string, chunkBytes: number) {
    const slotBytes = chunkBytes + SLACK;
    this.eventsPtr = 2 * slotBytes;
    const memory = createWasmMemory(this.eventsPtr + EVENT_CAPACITY * INTS * 4);
    this.wasm = instantiateStructuralScan(memory);
    this.slots = [new Uint8Array(memory.buffer, 0, chunkBytes), new Uint8Array(memory.buffer, slotBytes, chunkBytes)];
    this.events = new Int32Array(memory.buffer, this.eventsPtr, EVENT_CAPACITY * INTS);
  }

  chunkBuffer(slot: 0 | 1): Uint8Array {
    return this.slots[slot];
  }

  get readyRows(): number {
    const count = this.offsets.count;
    const open = this.phase === Phase.Row || (this.phase === Phase.Gap && this.scalar !== Scalar.None);
    return open ? Math.max(0, count - 1) : count;
  }

  rowEnd(row: number): number {
    if (row + 1 < this.offsets.count) return this.offsets.start(row + 1);
    return this.phase === Phase.Tail ? this.arrayEnd : this.lastEnd;
  }

  consume(slot: 0 | 1, length: number, fileOffset: number): void {
    const bytes = this.slots[slot];
    const base = bytes.byteOffset;
    let done = 0;
    let cursor = 0;
    while (done < length) {
      const used = this.wasm.scan(base + done, length - done, this.eventsPtr, EVENT_CAPACITY);
      const count = this.wasm.events();
      const events = this.events;
      for (let e = 0; e < count * INTS; e += INTS) {
        const pos = done + events[e]!;
        const kind = events[e + 2]!;
        // The two common cases stay out of the general path: ~2 events per row on a 665k-row file.
        if (kind === ROW_END) {
          this.phase = Phase.Gap;
          this.lastEnd = fileOffset + pos + 1;
          this.line = events[e + 1]! + 1;
        } else if (kind === ROW_START && this.phase === Phase.Gap && !this.expectRow && this.scalar === Scalar.None
          && isCommaGap(bytes, cursor, pos)) {
          this.offsets.push(fileOffset + pos, events[e + 1]! + 1);
          this.phase = Phase.Row;
        } else {
          if (this.phase !== Phase.Row) this.gap(bytes, cursor, pos, fileOffset);
          this.event(kind, fileOffset + pos, events[e + 1]! + 1, bytes[pos]!);
        }
        cursor = pos + 1;
      }
      done += used;
    }
    if (this.phase !== Phase.Row) this.gap(bytes, cursor, length, fileOffset);
  }

  finish(fileSize: number): void {
    const fail = (message: string): never => { throw new DatasetError(message, this.path, fileSize); };
    switch (this.phase) {
      case Phase.Tail:
        return;
      case Phase.Head:
        return fail(fileSize === 0 ? 'empty file: expected a JSON array of rows' : 'no JSON array found: the file holds only whitespace');
      case Phase.Row: {
        const row = this.offsets.count - 1;
        const inString = this.wasm.inString() ? ' or a string' : '';
        return fail(`truncated json: file ends at byte ${fileSize} inside row ${row} (starts at byte ${this.offsets.start(row)}, `
          + `line ${this.offsets.line(row)}): the file was cut short, or that row has an unclosed bracket${inString}`);
      }
      case Phase.Gap:
        if (this.scalar === Scalar.String) return fail(`truncated json: file ends at byte ${fileSize} inside a string`);
        return fail(`truncated json: file ends at byte ${fileSize} before the array's closing ']' (${this.offsets.count} rows read)`);
    }
  }

  private event(kind: number, at: number, line: number, byte: number): void {
    this.line = line;
    switch (kind) {
      case TOP_OPEN:
        if (this.phase === Phase.Tail) this.fail(at, `unexpected ${showByte(byte)} after the top-level array ended`);
        if (byte !== 0x5b) {
          this.fail(at, `top level is an object, not an array of rows (expected '[' at byte ${at}); `
            + 'for one JSON object per line, name the file .jsonl or pass --format messages-jsonl');
        }
        this.phase = Phase.Gap;
        return;
      case ROW_START:
        if (this.scalar === Scalar.Literal || !this.expectRow) this.fail(at, `missing ',' before the row at byte ${at} (line ${line})`);
        this.offsets.push(at, line);
        this.phase = Phase.Row;
        this.expectRow = false;
        this.commaPending = false;
        return;
      case ROW_END:
        this.phase = Phase.Gap;
        this.lastEnd = at + 1;
        return;
      case ARRAY_END:
        if (this.scalar === Scalar.Literal) this.endScalar(at);
        if (this.commaPending) this.fail(at, `trailing ',' before the closing ']' at byte ${at} (line ${line}); Python's json rejects it`);
        this.phase = Phase.Tail;
        this.arrayEnd = at;
        return;
      default:
        this.fail(at, `unbalanced ${showByte(byte)} at byte ${at} (line ${line}): more closing brackets than opening ones`);
    }
  }

  /** Bytes between events outside rows: whitespace, commas, and the odd scalar row. */
  private gap(bytes: Uint8Array, from: number, to: number, fileOffset: number): void {
    for (let i = from; i < to; i++) {
      const c = bytes[i]!;
      if (c === 0x0a) this.line++;
      if (this.scalar === Scalar.String) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.endScalar(fileOffset + i + 1);
        continue;
      }
      if (this.scalar === Scalar.Literal) {
        if (c === 0x22) this.scalar = Scalar.String;
        if (!isJsonSpace(c) && c !== 0x2c) continue;
        this.endScalar(fileOffset + i);
      }
      if (isJsonSpace(c)) continue;
      const at = fileOffset + i;
      if (this.phase === Phase.Head) {
        if (at < 3 && (c === 0xef || c === 0xbb || c === 0xbf)) continue; // UTF-8 byte order mark
        this.fail(at, `top level is not an array of rows: found ${showByte(c)} at byte ${at}, expected '['`);
      }
      if (this.phase === Phase.Tail) this.fail(at, `unexpected ${showByte(c)} at byte ${at} (line ${this.line}) after the top-level array ended`);
      if (c === 0x2c) {
        if (this.expectRow) this.fail(at, `unexpected ',' at byte ${at} (line ${this.line}): empty row`);
        this.expectRow = true;
        this.commaPending = true;
        continue;
      }
      if (!this.expectRow) this.fail(at, `missing ',' before ${showByte(c)} at byte ${at} (line ${this.line})`);
      this.offsets.push(at, this.line);
      this.expectRow = false;
      this.commaPending = false;
      this.scalar = c === 0x22 ? Scalar.String : Scalar.Literal;
    }
  }

  private endScalar(end: number): void {
    this.scalar = Scalar.None;
    this.escaped = false;
    this.lastEnd = end;
  }

  private fail(at: number, message: string): never {
    throw new DatasetError(message, this.path, at);
  }
}
