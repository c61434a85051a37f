// Hand-built events for what our writer never produces: unpacked repeated fields, unknown fields of
// every wire type, odd field order, several values per summary, malformed protobuf inside a valid record.
import assert from 'node:assert/strict';
import { ProtoWriter } from '../../../src/core/tfevents/proto-writer';
import { parseEventBytes } from '../../../src/core/tfevents/read';
import { DT_DOUBLE, DT_FLOAT, DT_HALF, DT_STRING } from '../../../src/core/tfevents/tensor-value';
import { encodeRecord } from '../../../src/core/tfevents/writer';

type Body = (w: ProtoWriter) => void;

function event(body: Body): Uint8Array {
  const w = new ProtoWriter();
  body(w);
  return encodeRecord(w.finish());
}

const concat = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((part) => [...part]));

/** An event at `step` whose summary holds one value with the given body. */
const valueEvent = (step: number, value: Body) =>
  event((w) => {
    w.double(1, 1.7e9);
    w.varint(2, step);
    w.message(5, (summary) => summary.message(1, value));
  });

const plugin = (name: string): Body => (value) => value.message(9, (m) => m.message(1, (p) => p.string(1, name)));

/** Unknown fields of every wire type, including a deprecated group. */
const unknownFields: Body = (w) => {
  w.varint(90, 123456789);
  w.double(91, 1);
  w.string(92, 'ignored');
  w.float(93, 1);
  w.key(94, 3); // group start
  w.varint(1, 5);
  w.key(94, 4); // group end
};

function scalarOf(bytes: Uint8Array, tag = 'x'): number[] | undefined {
  return parseEventBytes(bytes).scalars.get(tag)?.value;
}

describe('tfevents event decoding', () => {
  const tensorCases: [string, Body, number | undefined][] = [
    ['unpacked float_val', (t) => (t.varint(1, DT_FLOAT), t.float(5, 2.5)), 2.5],
    ['unpacked double_val', (t) => (t.varint(1, DT_DOUBLE), t.double(6, 0.1)), 0.1],
    ['unpacked half_val', (t) => (t.varint(1, DT_HALF), t.varint(13, 0x3e00)), 1.5],
    ['shape [1]', (t) => (t.varint(1, DT_DOUBLE), t.message(2, (s) => s.message(2, (d) => d.varint(1, 1))), t.double(6, 4)), 4],
    ['shape [2]: not a scalar', (t) => (t.varint(1, DT_DOUBLE), t.message(2, (s) => s.message(2, (d) => d.varint(1, 2))), t.double(6, 4), t.double(6, 5)), undefined],
    ['two values for one element: not a scalar', (t) => (t.varint(1, DT_FLOAT), t.float(5, 1), t.float(5, 2)), undefined],
    ['content of the wrong width: not a scalar', (t) => (t.varint(1, DT_FLOAT), t.bytesField(4, new Uint8Array(8))), undefined],
    ['string dtype: not a scalar', (t) => (t.varint(1, DT_STRING), t.string(8, 'hi')), undefined],
    ['unknown fields around the value', (t) => (unknownFields(t), t.varint(1, DT_FLOAT), t.float(5, 3), unknownFields(t)), 3],
  ];
  for (const [name, tensor, expected] of tensorCases) {
    it(`reads a tensor with ${name}`, () => {
      const bytes = valueEvent(1, (v) => (v.string(1, 'x'), v.message(8, tensor)));
      const contents = parseEventBytes(bytes);
      assert.equal(contents.records, 1);
      assert.deepEqual(contents.scalars.get('x')?.value, expected === undefined ? undefined : [expected]);
    });
  }

  it('skips unknown fields of every wire type in Event, Summary and Value', () => {
    const bytes = event((w) => {
      unknownFields(w);
      w.double(1, 1.7e9);
      w.varint(2, 9);
      w.message(5, (summary) => {
        unknownFields(summary);
        summary.message(1, (v) => (unknownFields(v), v.string(1, 'x'), v.float(2, 0.5), unknownFields(v)));
      });
      unknownFields(w);
    });
    assert.deepEqual(parseEventBytes(bytes).scalars.get('x'), { step: [9], wall: [1.7e9], value: [0.5] });
  });

  it('reads several values per summary, with step written after the summary', () => {
    const bytes = event((w) => {
      w.message(5, (summary) => {
        summary.message(1, (v) => (v.string(1, 'a'), v.float(2, 1)));
        summary.message(1, (v) => (v.string(1, 'b'), v.float(2, 2)));
      });
      w.varint(2, 42);
      w.double(1, 5);
    });
    const contents = parseEventBytes(bytes);
    assert.deepEqual(contents.scalars.get('a'), { step: [42], wall: [5], value: [1] });
    assert.deepEqual(contents.scalars.get('b'), { step: [42], wall: [5], value: [2] });
  });

  it('counts but skips a CRC-valid record holding malformed protobuf, and reads on', () => {
    const malformed = encodeRecord(new Uint8Array([0x2a, 0x7f, 0x0a])); // summary claims 127 bytes
    const good = valueEvent(2, (v) => (v.string(1, 'x'), v.float(2, 1)));
    const contents = parseEventBytes(concat(malformed, good));
    assert.deepEqual([contents.records, contents.damage], [2, null]);
    assert.deepEqual(contents.scalars.get('x')?.step, [2]);
  });

  it('remembers the text plugin for a tag whose later values carry no metadata', () => {
    const text = (step: number, withMetadata: boolean) =>
      valueEvent(step, (v) => {
        v.string(1, 'notes');
        v.message(8, (t) => (t.varint(1, DT_STRING), t.string(8, `note ${step}`)));
        if (withMetadata) plugin('text')(v);
      });
    const contents = parseEventBytes(concat(text(1, true), text(2, false)));
    assert.deepEqual(contents.texts.map((t) => t.text), ['note 1', 'note 2']);
  });

  it('ignores string tensors without the text plugin and numeric tensors of other plugins', () => {
    const strings = valueEvent(1, (v) => (v.string(1, 's'), v.message(8, (t) => (t.varint(1, DT_STRING), t.string(8, 'x')))));
    const image = valueEvent(1, (v) => (v.string(1, 'x'), v.message(8, (t) => (t.varint(1, DT_FLOAT), t.float(5, 1))), plugin('images')(v)));
    const contents = parseEventBytes(concat(strings, image));
    assert.deepEqual([contents.records, contents.texts.length, contents.scalars.size], [2, 0, 0]);
  });

  it('joins the elements of a rank-1 text tensor with newlines', () => {
    const bytes = valueEvent(1, (v) => {
      v.string(1, 'table');
      v.message(8, (t) => (t.varint(1, DT_STRING), t.string(8, 'a'), t.string(8, 'b')));
      plugin('text')(v);
    });
    assert.equal(parseEventBytes(bytes).texts[0]?.text, 'a\nb');
  });

  it('keeps a simple_value even when the tag also has plugin metadata', () => {
    assert.deepEqual(scalarOf(valueEvent(1, (v) => (v.string(1, 'x'), v.float(2, 7), plugin('scalars')(v)))), [7]);
  });
});
