import assert from 'node:assert/strict';
import { crc32c, crc32cNative, crc32cTable, maskCrc, unmaskCrc } from '../../../src/core/tfevents/crc32c';
import { foldRecordCrc, recordCrcShape } from '../../../src/core/tfevents/crc32c-batch';
import { encodeRecords } from '../../../src/core/tfevents/writer';

const ascii = (text: string) => new TextEncoder().encode(text);

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('tfevents crc32c', () => {
  it('matches the Castagnoli check value', () => {
    assert.equal(crc32c(ascii('123456789')), 0xe3069283);
    assert.equal(crc32cTable(ascii('123456789'), 0, 9), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(0)), 0);
  });

  it('gives the same answer on the JS and native paths at every size around the switch-over', () => {
    const bytes = noise(5000, 7);
    for (const length of [0, 1, 7, 8, 9, 63, 255, 256, 257, 1000, 4999]) {
      const table = crc32cTable(bytes, 1, 1 + length);
      assert.equal(crc32c(bytes, 1, 1 + length), table, `length ${length}`);
      assert.equal(crc32cNative(bytes, 1, 1 + length), table, `native, length ${length}`);
    }
  });

  it('masks and unmasks as TFRecord does', () => {
    // mask(0) = rotr(0, 15) + 0xa282ead8
    assert.equal(maskCrc(0), 0xa282ead8);
    assert.equal(maskCrc(0xe3069283), ((((0xe3069283 >>> 15) | (0xe3069283 << 17)) >>> 0) + 0xa282ead8) % 2 ** 32);
    for (const crc of [0, 1, 0xffffffff, 0x80000000, 0xe3069283, 0x12345678]) assert.equal(unmaskCrc(maskCrc(crc)), crc);
  });

  it('predicts the CRC of a run of records from their stored CRCs (the batched check)', () => {
    const events = Array.from({ length: 40 }, (_, i) => ({
      kind: 'scalar' as const,
      tag: `tag/${'x'.repeat(i % 9)}`,
      step: i * 1000,
      wall: 1.7e9 + i,
      value: i / 3,
    }));
    const bytes = encodeRecords(events);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let runCrc = 0;
    for (let pos = 0; pos < bytes.length; ) {
      const length = view.getUint32(pos, true);
      const shape = recordCrcShape(length, view.getUint32(pos + 8, true));
      assert.ok(shape, `length ${length} is batched`);
      assert.equal(view.getUint32(pos + 8, true), shape.headerCrc);
      runCrc = foldRecordCrc(runCrc, shape, view.getUint32(pos + 12 + length, true));
      pos += 16 + length;
      assert.equal(runCrc, crc32cNative(bytes, 0, pos));
    }
  });

  it('builds no batch tables for a header that fails its CRC', () => {
    assert.equal(recordCrcShape(4000, 0x12345678), null);
  });
});
