// Reads the two kinds of TensorProto we show: one-element numeric tensors (scalars) and string tensors (text).
import { bfloat16ToNumber, halfToNumber } from './half-float';
import { WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT, type ProtoCursor } from './proto-cursor';

export const DT_FLOAT = 1;
export const DT_DOUBLE = 2;
export const DT_STRING = 7;
export const DT_BFLOAT16 = 14;
export const DT_HALF = 19;

const utf8 = new TextDecoder('utf-8');

/**
 * Decodes TensorProto fields from the cursor (already narrowed to the tensor). The scan only notes
 * where things are, so a many-element tensor that turns out not to be a scalar costs no decoding.
 */
export class TensorValueReader {
  /** The scalar found by the last successful `readScalar`. */
  value = 0;

  private dtype = 0;
  private elements = 1;
  private contentStart = -1;
  private contentEnd = -1;
  private valField = 0;
  private valCount = 0;
  private valPos = -1;
  private valWire = 0;
  private strings: [number, number][] = [];

  /** True when the tensor holds exactly one float/double/half/bfloat16 element (then see `value`). */
  readScalar(c: ProtoCursor): boolean {
    this.scan(c, false);
    if (this.elements !== 1) return false;
    switch (this.dtype) {
      case DT_FLOAT:
        return this.fromContent(c, 4) || this.fromVals(c, 5);
      case DT_DOUBLE:
        return this.fromContent(c, 8) || this.fromVals(c, 6);
      case DT_HALF:
      case DT_BFLOAT16:
        return this.fromContent(c, 2) || this.fromVals(c, 13);
      default:
        return false;
    }
  }

  /** The elements of a DT_STRING tensor, or null for any other dtype. */
  readStrings(c: ProtoCursor): string[] | null {
    this.strings.length = 0;
    this.scan(c, true);
    if (this.dtype !== DT_STRING) return null;
    return this.strings.map(([start, end]) => utf8.decode(c.bytes.subarray(start, end)));
  }

  private scan(c: ProtoCursor, collectStrings: boolean): void {
    this.dtype = 0;
    this.elements = 1;
    this.contentStart = -1;
    this.valCount = 0;
    while (!c.done) {
      const key = c.uint32();
      const field = key >>> 3;
      const wire = key & 7;
      if (field === 1 && wire === WIRE_VARINT) this.dtype = c.uint32();
      else if (field === 2 && wire === WIRE_LEN) this.elements = readElementCount(c);
      else if (field === 4 && wire === WIRE_LEN) {
        this.contentEnd = c.lengthEnd();
        this.contentStart = c.pos;
        c.pos = this.contentEnd;
      } else if (field === 5 || field === 6 || field === 13) {
        this.noteVal(c, field, wire);
      } else if (field === 8 && wire === WIRE_LEN && collectStrings) {
        const end = c.lengthEnd();
        this.strings.push([c.pos, end]);
        c.pos = end;
      } else c.skip(wire);
    }
  }

  /** Remembers where the first *_val element is and how many there are (packed or not). */
  private noteVal(c: ProtoCursor, field: number, wire: number): void {
    const width = field === 5 ? 4 : field === 6 ? 8 : 0;
    if (wire === WIRE_LEN) {
      const end = c.lengthEnd();
      if (this.valCount === 0 && end > c.pos) {
        this.valField = field;
        this.valPos = c.pos;
        this.valWire = width === 4 ? WIRE_I32 : width === 8 ? WIRE_I64 : WIRE_VARINT;
      }
      if (width > 0) this.valCount += Math.floor((end - c.pos) / width);
      else for (let i = c.pos; i < end; i++) if (c.bytes[i]! < 0x80) this.valCount++;
      c.pos = end;
      return;
    }
    const expected = width === 4 ? WIRE_I32 : width === 8 ? WIRE_I64 : WIRE_VARINT;
    if (wire !== expected) {
      c.skip(wire);
      return;
    }
    if (this.valCount === 0) {
      this.valField = field;
      this.valPos = c.pos;
      this.valWire = wire;
    }
    this.valCount++;
    c.skip(wire);
  }

  private fromContent(c: ProtoCursor, width: number): boolean {
    if (this.contentStart < 0 || this.contentEnd - this.contentStart !== width) return false;
    this.value = this.decodeAt(c, this.contentStart, width);
    return true;
  }

  private fromVals(c: ProtoCursor, field: number): boolean {
    if (this.valCount !== 1 || this.valField !== field) return false;
    if (field === 13) {
      const saved = c.pos;
      c.pos = this.valPos;
      const bits = c.uint32() & 0xffff;
      c.pos = saved;
      this.value = this.dtype === DT_HALF ? halfToNumber(bits) : bfloat16ToNumber(bits);
    } else this.value = this.decodeAt(c, this.valPos, this.valWire === WIRE_I32 ? 4 : 8);
    return true;
  }

  private decodeAt(c: ProtoCursor, pos: number, width: number): number {
    if (width === 4) return c.view.getFloat32(pos, true);
    if (width === 8) return c.view.getFloat64(pos, true);
    const bits = c.view.getUint16(pos, true);
    return this.dtype === DT_HALF ? halfToNumber(bits) : bfloat16ToNumber(bits);
  }
}

/** Product of TensorShapeProto dim sizes (no dims = rank 0 = one element); -1 for unknown rank. */
function readElementCount(c: ProtoCursor): number {
  const outer = c.enter();
  let count = 1;
  while (!c.done) {
    const key = c.uint32();
    if (key === ((2 << 3) | WIRE_LEN)) {
      const dimOuter = c.enter();
      let size = 1;
      while (!c.done) {
        const dimKey = c.uint32();
        if (dimKey === ((1 << 3) | WIRE_VARINT)) size = c.int64();
        else c.skip(dimKey & 7);
      }
      c.leave(dimOuter);
      count *= size;
    } else if (key === ((3 << 3) | WIRE_VARINT)) {
      if (c.uint32() !== 0) count = -1;
    } else c.skip(key & 7);
  }
  c.leave(outer);
  return count;
}
