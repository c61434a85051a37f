// A growable protobuf encoder with in-place nested messages (no sub-buffers per message).
import { WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './proto-cursor';

const utf8 = new TextEncoder();

export class ProtoWriter {
  bytes = new Uint8Array(1024);
  view = new DataView(this.bytes.buffer);
  pos = 0;

  /** Makes room for `count` more bytes. */
  reserve(count: number): void {
    if (this.pos + count <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.pos + count) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.pos));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  /** A varint of an integer in ±2^53; negatives use the 10-byte two's-complement int64 form. */
  rawVarint(value: number): void {
    this.reserve(10);
    let lo = value >>> 0;
    let hi = Math.floor(value / 4294967296) >>> 0;
    while (hi !== 0 || lo > 0x7f) {
      this.bytes[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.bytes[this.pos++] = lo;
  }

  key(field: number, wire: number): void {
    this.rawVarint((field << 3) | wire);
  }

  varint(field: number, value: number): void {
    this.key(field, WIRE_VARINT);
    this.rawVarint(value);
  }

  rawFloat64(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  rawFloat32(value: number): void {
    this.reserve(4);
    this.view.setFloat32(this.pos, value, true);
    this.pos += 4;
  }

  rawUint16(value: number): void {
    this.reserve(2);
    this.view.setUint16(this.pos, value, true);
    this.pos += 2;
  }

  double(field: number, value: number): void {
    this.key(field, WIRE_I64);
    this.rawFloat64(value);
  }

  float(field: number, value: number): void {
    this.key(field, WIRE_I32);
    this.rawFloat32(value);
  }

  bytesField(field: number, value: Uint8Array): void {
    this.key(field, WIRE_LEN);
    this.rawVarint(value.length);
    this.reserve(value.length);
    this.bytes.set(value, this.pos);
    this.pos += value.length;
  }

  string(field: number, value: string): void {
    this.bytesField(field, utf8.encode(value));
  }

  /** Writes a nested message: one length byte is reserved and widened afterwards if needed. */
  message(field: number, writeBody: (writer: ProtoWriter) => void): void {
    this.key(field, WIRE_LEN);
    this.reserve(1);
    const lengthAt = this.pos++;
    writeBody(this);
    const length = this.pos - lengthAt - 1;
    const width = varintWidth(length);
    if (width > 1) {
      this.reserve(width - 1);
      this.bytes.copyWithin(lengthAt + width, lengthAt + 1, this.pos);
      this.pos += width - 1;
    }
    const end = this.pos;
    this.pos = lengthAt;
    this.rawVarint(length);
    this.pos = end;
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.bytes.slice(0, this.pos);
  }
}

function varintWidth(value: number): number {
  let width = 1;
  while (value > 0x7f) {
    value = Math.floor(value / 128);
    width++;
  }
  return width;
}
