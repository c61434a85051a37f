// Decodes tensorflow.Event protos into scalar points and text summaries, skipping everything else.
import { MalformedMessageError, ProtoCursor } from './proto-cursor';
import { TagTable, type TagState } from './tag-table';
import { TensorValueReader } from './tensor-value';
import type { ScalarSeries, TextSummary } from './types';

const utf8 = new TextDecoder('utf-8');

// Field keys ((field << 3) | wire type) we act on; everything else is skipped by wire type.
const EVENT_WALL_TIME = 0x09; // 1, fixed64 double
const EVENT_STEP = 0x10; // 2, varint int64
const EVENT_FILE_VERSION = 0x1a; // 3, string
const EVENT_SUMMARY = 0x2a; // 5, Summary
const SUMMARY_VALUE = 0x0a; // Summary.value = 1
const VALUE_TAG = 0x0a; // 1, string
const VALUE_SIMPLE = 0x15; // 2, float
const VALUE_TENSOR = 0x42; // 8, TensorProto
const VALUE_METADATA = 0x4a; // 9, SummaryMetadata
const METADATA_PLUGIN_DATA = 0x0a; // SummaryMetadata.plugin_data = 1
const PLUGIN_NAME = 0x0a; // PluginData.plugin_name = 1

/** What a run of decoded records produced (the decoding part of an EventFileDelta). */
export interface DecodedEvents {
  records: number;
  scalars: Map<string, ScalarSeries>;
  texts: TextSummary[];
  fileVersion: string | null;
}

export function emptyDecodedEvents(): DecodedEvents {
  return { records: 0, scalars: new Map(), texts: [], fileVersion: null };
}

/**
 * Decodes events of one file. Keeps per-file memory (each tag's plugin) across calls, and appends
 * into `out`, which `begin` swaps for a fresh one at the start of each delta.
 */
export class EventDecoder {
  out: DecodedEvents = emptyDecodedEvents();

  private readonly tags = new TagTable();
  private readonly cursor = new ProtoCursor();
  private readonly tensor = new TensorValueReader();
  private epoch = 0;
  // Values of the event being decoded; committed once its step and wall time are known.
  private readonly pendingTags: TagState[] = [];
  private readonly pendingValues: number[] = [];
  private pendingCount = 0;
  private readonly pendingTexts: { tag: string; text: string }[] = [];

  /** Starts a new delta. */
  begin(): DecodedEvents {
    this.epoch++;
    this.out = emptyDecodedEvents();
    return this.out;
  }

  /** Forgets what the file told us (tag plugins): it was replaced or shrank. */
  forgetFile(): void {
    this.tags.clear();
  }

  /** Decodes one CRC-checked record; a malformed event is counted but contributes nothing. */
  decodeEvent(bytes: Uint8Array, view: DataView, start: number, end: number): void {
    const c = this.cursor;
    c.reset(bytes, view, start, end);
    this.pendingCount = 0;
    // Setting .length costs a runtime call even when already 0; texts are rare.
    if (this.pendingTexts.length !== 0) this.pendingTexts.length = 0;
    this.out.records++;
    let wall = 0;
    let step = 0;
    try {
      while (!c.done) {
        const key = c.uint32();
        if (key === EVENT_WALL_TIME) wall = c.float64();
        else if (key === EVENT_STEP) step = c.int64();
        else if (key === EVENT_SUMMARY) this.readSummary(c);
        else if (key === EVENT_FILE_VERSION) {
          const stringEnd = c.lengthEnd();
          this.out.fileVersion = utf8.decode(bytes.subarray(c.pos, stringEnd));
          c.pos = stringEnd;
        } else c.skip(key & 7);
      }
    } catch (error) {
      if (error instanceof MalformedMessageError) return;
      throw error;
    }
    this.commit(step, wall);
  }

  private readSummary(c: ProtoCursor): void {
    const outer = c.enter();
    while (!c.done) {
      const key = c.uint32();
      if (key === SUMMARY_VALUE) this.readValue(c);
      else c.skip(key & 7);
    }
    c.leave(outer);
  }

  private readValue(c: ProtoCursor): void {
    const outer = c.enter();
    let tagStart = -1;
    let tagEnd = -1;
    let simple = 0;
    let hasSimple = false;
    let tensorStart = -1;
    let tensorEnd = -1;
    let plugin: string | null = null;
    while (!c.done) {
      const key = c.uint32();
      if (key === VALUE_TAG) {
        tagEnd = c.lengthEnd();
        tagStart = c.pos;
        c.pos = tagEnd;
      } else if (key === VALUE_SIMPLE) {
        simple = c.float32();
        hasSimple = true;
      } else if (key === VALUE_TENSOR) {
        tensorEnd = c.lengthEnd();
        tensorStart = c.pos;
        c.pos = tensorEnd;
      } else if (key === VALUE_METADATA) plugin = readPluginName(c);
      else c.skip(key & 7);
    }
    c.leave(outer);
    if (tagStart < 0) return;
    const tag = this.tags.lookup(c.bytes, c.view, tagStart, tagEnd);
    if (plugin !== null) tag.plugin = plugin;
    if (hasSimple) this.addScalar(tag, simple);
    else if (tensorStart >= 0) this.readTensor(c, tag, tensorStart, tensorEnd);
  }

  /** Tensor values count as scalars unless their plugin says otherwise (Keras histograms are tensors). */
  private readTensor(c: ProtoCursor, tag: TagState, start: number, end: number): void {
    const plugin = tag.plugin;
    if (plugin !== null && plugin !== 'scalars' && plugin !== 'text') return;
    const savedPos = c.pos;
    const savedEnd = c.end;
    c.pos = start;
    c.end = end;
    if (plugin === 'text') {
      const strings = this.tensor.readStrings(c);
      if (strings !== null) this.pendingTexts.push({ tag: tag.name, text: strings.join('\n') });
    } else if (this.tensor.readScalar(c)) this.addScalar(tag, this.tensor.value);
    c.pos = savedPos;
    c.end = savedEnd;
  }

  private addScalar(tag: TagState, value: number): void {
    this.pendingTags[this.pendingCount] = tag;
    this.pendingValues[this.pendingCount] = value;
    this.pendingCount++;
  }

  private commit(step: number, wall: number): void {
    for (let i = 0; i < this.pendingCount; i++) {
      const tag = this.pendingTags[i]!;
      let series = tag.series;
      if (tag.epoch !== this.epoch || series === null) {
        series = this.out.scalars.get(tag.name) ?? { step: [], wall: [], value: [] };
        this.out.scalars.set(tag.name, series);
        tag.series = series;
        tag.epoch = this.epoch;
      }
      series.step.push(step);
      series.wall.push(wall);
      series.value.push(this.pendingValues[i]!);
    }
    if (this.pendingTexts.length === 0) return;
    for (const { tag, text } of this.pendingTexts) this.out.texts.push({ tag, step, wall, text });
  }
}

/** SummaryMetadata.plugin_data.plugin_name, or null when the metadata names no plugin. */
function readPluginName(c: ProtoCursor): string | null {
  const outer = c.enter();
  let name: string | null = null;
  while (!c.done) {
    const key = c.uint32();
    if (key !== METADATA_PLUGIN_DATA) {
      c.skip(key & 7);
      continue;
    }
    const pluginOuter = c.enter();
    while (!c.done) {
      const pluginKey = c.uint32();
      if (pluginKey !== PLUGIN_NAME) {
        c.skip(pluginKey & 7);
        continue;
      }
      const nameEnd = c.lengthEnd();
      if (nameEnd > c.pos) name = utf8.decode(c.bytes.subarray(c.pos, nameEnd));
      c.pos = nameEnd;
    }
    c.leave(pluginOuter);
  }
  c.leave(outer);
  return name;
}
