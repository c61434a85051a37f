// Writes event files the way torch / TF2 / HF Trainer do, for the demo workspace, tests and benchmarks.
import { appendFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { crc32c, maskCrc } from './crc32c';
import { ProtoWriter } from './proto-writer';
import { DT_BFLOAT16, DT_DOUBLE, DT_FLOAT, DT_HALF, DT_STRING } from './tensor-value';
import { numberToBfloat16, numberToHalf } from './half-float';

/** How a scalar is stored: torch's `simple_value`, or a rank-0 tensor like TF2/Keras. */
export type ScalarEncoding =
  | 'simple_value'
  | 'float_content'
  | 'float_val'
  | 'double_val'
  | 'double_content'
  | 'half_val'
  | 'half_content'
  | 'bfloat16_val';

export type EventSpec =
  | { kind: 'file_version'; wall: number; version?: string }
  | {
      kind: 'scalar';
      tag: string;
      step: number;
      wall: number;
      value: number;
      encoding?: ScalarEncoding;
      /** Tensor scalars carry plugin metadata unless false (TF2 writes it on a tag's first value only). */
      metadata?: boolean;
      /** The plugin that metadata names; "scalars" unless a test wants another plugin's tensor. */
      plugin?: string;
    }
  | { kind: 'text'; tag: string; step: number; wall: number; text: string }
  /** An opaque graph_def payload, for big records the reader must skip. */
  | { kind: 'graph'; wall: number; graphDef: Uint8Array };

/** Bytes of the framed records of `events`, ready to append to a file. */
export function encodeRecords(events: Iterable<EventSpec>): Uint8Array {
  const w = new ProtoWriter();
  for (const event of events) frame(w, () => writeEvent(w, event));
  return w.finish();
}

/** One framed record around arbitrary data (hand-built events in tests, other record kinds). */
export function encodeRecord(data: Uint8Array): Uint8Array {
  const w = new ProtoWriter();
  frame(w, () => {
    w.reserve(data.length);
    w.bytes.set(data, w.pos);
    w.pos += data.length;
  });
  return w.finish();
}

/** Writes header, data (in place, no copy) and footer of one record. */
function frame(w: ProtoWriter, writeData: () => void): void {
  w.reserve(12);
  const recordStart = w.pos;
  w.pos += 12;
  writeData();
  const length = w.pos - recordStart - 12;
  w.view.setUint32(recordStart, length, true);
  w.view.setUint32(recordStart + 4, Math.floor(length / 4294967296), true);
  w.view.setUint32(recordStart + 8, maskCrc(crc32c(w.bytes, recordStart, recordStart + 8)), true);
  w.reserve(4);
  w.view.setUint32(w.pos, maskCrc(crc32c(w.bytes, recordStart + 12, w.pos)), true);
  w.pos += 4;
}

/** The serialized Event proto alone (no framing). */
export function encodeEvent(event: EventSpec): Uint8Array {
  const w = new ProtoWriter();
  writeEvent(w, event);
  return w.finish();
}

function writeEvent(w: ProtoWriter, event: EventSpec): void {
  w.double(1, event.wall);
  // proto3 leaves zero out, so step 0 is absent on disk, as real writers do.
  if (event.kind !== 'file_version' && event.kind !== 'graph' && event.step !== 0) w.varint(2, event.step);
  switch (event.kind) {
    case 'file_version':
      w.string(3, event.version ?? 'brain.Event:2');
      return;
    case 'graph':
      w.bytesField(4, event.graphDef);
      return;
    case 'scalar':
      w.message(5, (summary) => summary.message(1, (value) => writeScalarValue(value, event)));
      return;
    case 'text':
      w.message(5, (summary) =>
        summary.message(1, (value) => {
          value.string(1, event.tag);
          value.message(8, (tensor) => {
            tensor.varint(1, DT_STRING);
            tensor.message(2, () => undefined);
            tensor.string(8, event.text);
          });
          writePluginMetadata(value, 'text', 0);
        }),
      );
  }
}

function writeScalarValue(w: ProtoWriter, event: Extract<EventSpec, { kind: 'scalar' }>): void {
  w.string(1, event.tag);
  const encoding = event.encoding ?? 'simple_value';
  if (encoding === 'simple_value') {
    w.float(2, event.value);
    return;
  }
  w.message(8, (tensor) => writeScalarTensor(tensor, encoding, event.value));
  // DataClass.SCALAR = 1, as TF2's scalar summary op writes it.
  const plugin = event.plugin ?? 'scalars';
  if (event.metadata !== false) writePluginMetadata(w, plugin, plugin === 'scalars' ? 1 : 0);
}

const TENSOR_DTYPE: Record<string, number> = { float: DT_FLOAT, double: DT_DOUBLE, half: DT_HALF, bfloat16: DT_BFLOAT16 };

function writeScalarTensor(w: ProtoWriter, encoding: ScalarEncoding, value: number): void {
  w.varint(1, TENSOR_DTYPE[encoding.slice(0, encoding.indexOf('_'))] ?? DT_BFLOAT16);
  w.message(2, () => undefined);
  // Packed repeated fields and tensor_content are both length-delimited runs of LE values.
  switch (encoding) {
    case 'float_content':
      w.message(4, (bytes) => bytes.rawFloat32(value));
      return;
    case 'double_content':
      w.message(4, (bytes) => bytes.rawFloat64(value));
      return;
    case 'half_content':
      w.message(4, (bytes) => bytes.rawUint16(numberToHalf(value)));
      return;
    case 'float_val':
      w.message(5, (packed) => packed.rawFloat32(value));
      return;
    case 'double_val':
      w.message(6, (packed) => packed.rawFloat64(value));
      return;
    case 'half_val':
      w.message(13, (packed) => packed.rawVarint(numberToHalf(value)));
      return;
    case 'bfloat16_val':
      w.message(13, (packed) => packed.rawVarint(numberToBfloat16(value)));
      return;
    case 'simple_value':
      throw new Error('simple_value is not a tensor encoding');
  }
}

function writePluginMetadata(w: ProtoWriter, plugin: string, dataClass: number): void {
  w.message(9, (metadata) => {
    metadata.message(1, (pluginData) => pluginData.string(1, plugin));
    if (dataClass !== 0) metadata.varint(4, dataClass);
  });
}

/** `events.out.tfevents.<secs>.<host>.<pid>.<n>`, the name torch and TF writers use. */
export function eventFileName(
  options: { wallSeconds?: number; host?: string; pid?: number; index?: number } = {},
): string {
  const seconds = Math.floor(options.wallSeconds ?? Date.now() / 1000);
  return `events.out.tfevents.${seconds}.${options.host ?? hostname()}.${options.pid ?? process.pid}.${options.index ?? 0}`;
}

/** Appends records to an event file (created on first append). */
export class EventFileWriter {
  constructor(readonly path: string) {}

  async append(events: Iterable<EventSpec>): Promise<void> {
    await appendFile(this.path, encodeRecords(events));
  }

  appendSync(events: Iterable<EventSpec>): void {
    appendFileSync(this.path, encodeRecords(events));
  }
}
