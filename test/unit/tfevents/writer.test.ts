// Writer → reader round trips, one row per way a scalar can be stored.
import assert from 'node:assert/strict';
import { bfloat16ToNumber, halfToNumber, numberToBfloat16, numberToHalf } from '../../../src/core/tfevents/half-float';
import { parseEventBytes } from '../../../src/core/tfevents/read';
import { encodeRecords, eventFileName, type EventSpec, type ScalarEncoding } from '../../../src/core/tfevents/writer';

const WALL = 1_742_826_235.5;

interface Row {
  encoding: ScalarEncoding;
  value: number;
  /** What the reader must return: the value as the encoding's type holds it. */
  expected: number;
}

const ROWS: Row[] = [
  { encoding: 'simple_value', value: 0.1, expected: Math.fround(0.1) },
  { encoding: 'float_content', value: 0.1, expected: Math.fround(0.1) },
  { encoding: 'float_val', value: -3.25, expected: -3.25 },
  { encoding: 'double_val', value: 0.1, expected: 0.1 },
  { encoding: 'double_content', value: 1e300, expected: 1e300 },
  { encoding: 'half_val', value: 1.5, expected: 1.5 },
  { encoding: 'half_val', value: 0.1, expected: halfToNumber(numberToHalf(0.1)) },
  { encoding: 'half_content', value: -65504, expected: -65504 },
  { encoding: 'bfloat16_val', value: 3.140625, expected: 3.140625 },
];

describe('tfevents writer round trip', () => {
  for (const row of ROWS) {
    it(`reads back a ${row.encoding} scalar ${row.value}`, () => {
      const bytes = encodeRecords([
        { kind: 'file_version', wall: WALL },
        { kind: 'scalar', tag: 'train/loss', step: 7, wall: WALL + 1, value: row.value, encoding: row.encoding },
      ]);
      const contents = parseEventBytes(bytes);
      assert.equal(contents.records, 2);
      assert.equal(contents.fileVersion, 'brain.Event:2');
      assert.equal(contents.damage, null);
      assert.equal(contents.validBytes, bytes.length);
      assert.deepEqual(contents.scalars.get('train/loss'), { step: [7], wall: [WALL + 1], value: [row.expected] });
    });
  }

  it('remembers a tag\'s "scalars" plugin from its first value (TF2 writes metadata once)', () => {
    const events: EventSpec[] = [0, 1, 2].map((step) => ({
      kind: 'scalar',
      tag: 'epoch_loss',
      step,
      wall: WALL + step,
      value: step / 2,
      encoding: 'float_content',
      metadata: step === 0,
    }));
    assert.deepEqual(parseEventBytes(encodeRecords(events)).scalars.get('epoch_loss')?.value, [0, 0.5, 1]);
  });

  it('does not take tensors of other plugins for scalars, even after their metadata stops', () => {
    const events: EventSpec[] = [0, 1].map((step) => ({
      kind: 'scalar',
      tag: 'dense/kernel_0',
      step,
      wall: WALL,
      value: 1,
      encoding: 'double_val',
      plugin: 'histograms',
      metadata: step === 0,
    }));
    const contents = parseEventBytes(encodeRecords(events));
    assert.equal(contents.records, 2);
    assert.equal(contents.scalars.size, 0);
  });

  it('keeps step 0, negative and large steps', () => {
    const steps = [0, -1, 2 ** 40, 2 ** 53 - 1];
    const events: EventSpec[] = steps.map((step) => ({ kind: 'scalar', tag: 's', step, wall: WALL, value: 1 }));
    assert.deepEqual(parseEventBytes(encodeRecords(events)).scalars.get('s')?.step, steps);
  });

  it('reads text summaries with their step and wall time', () => {
    const text = 'output_dir: /runs/a\nlearning_rate: 2e-4 — ünïcödé';
    const contents = parseEventBytes(encodeRecords([{ kind: 'text', tag: 'args/text_summary', step: 3, wall: WALL, text }]));
    assert.deepEqual(contents.texts, [{ tag: 'args/text_summary', step: 3, wall: WALL, text }]);
    assert.equal(contents.scalars.size, 0);
  });

  it('reads files without a file_version record (tensorboardX 2017)', () => {
    const contents = parseEventBytes(encodeRecords([{ kind: 'scalar', tag: 'a', step: 1, wall: WALL, value: 2 }]));
    assert.equal(contents.fileVersion, null);
    assert.equal(contents.records, 1);
    assert.deepEqual(contents.scalars.get('a')?.value, [2]);
  });

  it('CRC-checks but skips a 2 MB graph_def', () => {
    const graphDef = new Uint8Array(2 << 20).map((_, i) => (i * 31) & 0xff);
    const bytes = encodeRecords([
      { kind: 'graph', wall: WALL, graphDef },
      { kind: 'scalar', tag: 'after', step: 1, wall: WALL, value: 1 },
    ]);
    const contents = parseEventBytes(bytes);
    assert.equal(contents.records, 2);
    assert.deepEqual(contents.scalars.get('after')?.value, [1]);
    bytes[1000]! ^= 1;
    assert.match(parseEventBytes(bytes).damage?.reason ?? '', /^data crc mismatch: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}$/);
  });

  it('keeps tag order of first appearance and many tags sharing a length', () => {
    const tags = ['a/1', 'b/2', 'c/3', 'd/4', 'a/1'];
    const events: EventSpec[] = tags.map((tag, step) => ({ kind: 'scalar', tag, step, wall: WALL, value: step }));
    const contents = parseEventBytes(encodeRecords(events));
    assert.deepEqual([...contents.scalars.keys()], ['a/1', 'b/2', 'c/3', 'd/4']);
    assert.deepEqual(contents.scalars.get('a/1')?.step, [0, 4]);
  });

  it('names files like torch and TF', () => {
    assert.equal(eventFileName({ wallSeconds: 1742826235.9, host: 'gpu-1', pid: 42, index: 3 }), 'events.out.tfevents.1742826235.gpu-1.42.3');
    assert.match(eventFileName(), /^events\.out\.tfevents\.\d{10}\..+\.\d+\.0$/);
  });
});

describe('tfevents 16-bit floats', () => {
  it('converts every half bit pattern to a number and back', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = halfToNumber(bits);
      if (Number.isNaN(value)) continue;
      assert.equal(numberToHalf(value), bits, `bits 0x${bits.toString(16)}`);
    }
  });

  it('rounds to the nearest half, ties to even, overflow to infinity', () => {
    assert.equal(numberToHalf(1 + 2 ** -11), numberToHalf(1)); // tie → even (1.0)
    assert.equal(numberToHalf(1 + 3 * 2 ** -11), numberToHalf(1 + 2 ** -9)); // tie → even (up)
    assert.equal(halfToNumber(numberToHalf(65520)), Infinity);
    assert.equal(halfToNumber(numberToHalf(2 ** -25)), 0);
    assert.ok(Number.isNaN(halfToNumber(numberToHalf(NaN))));
  });

  it('converts bfloat16 both ways', () => {
    for (const value of [0, 1, -2, 3.140625, 2 ** 100, -Infinity]) assert.equal(bfloat16ToNumber(numberToBfloat16(value)), value);
    assert.equal(bfloat16ToNumber(numberToBfloat16(1 + 2 ** -8)), 1); // tie → even
  });
});
