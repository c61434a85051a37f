// A minimal protobuf wire-format reader over one shared buffer; no allocation per field.

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_GROUP_START = 3;
export const WIRE_GROUP_END = 4;
export const WIRE_I32 = 5;

/** Bytes that passed the record CRC but are not a valid message (a writer bug); caught per record. */
export class MalformedMessageError extends Error {}

const EMPTY = new Uint8Array(0);

/**
 * Reads fields from bytes[pos, end). Nested messages are read by narrowing `end` (see `enter`/`leave`)
 * rather than creating sub-readers, so a whole event decodes without allocating.
 */
export class ProtoCursor {
  bytes: Uint8Array = EMPTY;
  view: DataView = new DataView(EMPTY.buffer);
  pos = 0;
  end = 0;

  reset(bytes: Uint8Array, view: DataView, start: number, end: number): void {
    this.bytes = bytes;
    this.view = view;
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A field key, length or small enum: a varint that must fit in 32 bits. */
  uint32(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    // Keys and short lengths are one byte: the common case skips the loop.
    if (pos < this.end && bytes[pos]! < 0x80) {
      this.pos = pos + 1;
      return bytes[pos]!;
    }
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= this.end) throw new MalformedMessageError('varint runs past the message end');
      const b = bytes[pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        this.pos = pos;
        if (result > 0xffffffff) throw new MalformedMessageError(`varint too large: ${result}`);
        return result;
      }
    }
    throw new MalformedMessageError('varint longer than 5 bytes');
  }

  /** An int64 as a number: exact within ±2^53, negative values (10-byte varints) come back negative. */
  int64(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) throw new MalformedMessageError('varint runs past the message end');
      const b = bytes[pos++]!;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x7f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) {
        this.pos = pos;
        return (hi | 0) * 4294967296 + (lo >>> 0);
      }
    }
    throw new MalformedMessageError('varint longer than 10 bytes');
  }

  float32(): number {
    const pos = this.pos;
    if (pos + 4 > this.end) throw new MalformedMessageError('fixed32 runs past the message end');
    this.pos = pos + 4;
    return this.view.getFloat32(pos, true);
  }

  float64(): number {
    const pos = this.pos;
    if (pos + 8 > this.end) throw new MalformedMessageError('fixed64 runs past the message end');
    this.pos = pos + 8;
    return this.view.getFloat64(pos, true);
  }

  /** Reads a length prefix and returns where the payload ends; `pos` is then at the payload start. */
  lengthEnd(): number {
    const length = this.uint32();
    const end = this.pos + length;
    if (end > this.end) throw new MalformedMessageError(`length ${length} runs past the message end`);
    return end;
  }

  /** Narrows reading to a length-delimited payload; returns the outer end for `leave`. */
  enter(): number {
    const payloadEnd = this.lengthEnd();
    const outerEnd = this.end;
    this.end = payloadEnd;
    return outerEnd;
  }

  /** Ends a nested message: skips whatever was left of it and restores the outer end. */
  leave(outerEnd: number): void {
    this.pos = this.end;
    this.end = outerEnd;
  }

  /** Skips the value of a field with this wire type (unknown fields, fields we don't need). */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.int64();
        return;
      case WIRE_I64:
        this.advance(8);
        return;
      case WIRE_LEN:
        this.pos = this.lengthEnd();
        return;
      case WIRE_I32:
        this.advance(4);
        return;
      case WIRE_GROUP_START:
        this.skipGroup();
        return;
      default:
        throw new MalformedMessageError(`unexpected wire type ${wireType}`);
    }
  }

  private advance(count: number): void {
    if (this.pos + count > this.end) throw new MalformedMessageError(`field runs past the message end`);
    this.pos += count;
  }

  /** Deprecated groups: skip nested fields until the matching end-group key. */
  private skipGroup(): void {
    let depth = 1;
    while (depth > 0) {
      if (this.done) throw new MalformedMessageError('group runs past the message end');
      const wireType = this.uint32() & 7;
      if (wireType === WIRE_GROUP_START) depth++;
      else if (wireType === WIRE_GROUP_END) depth--;
      else this.skip(wireType);
    }
  }
}
