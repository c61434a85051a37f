// Mutated event files (truncations, bit flips, insertions, lying lengths): the reader must return, never
// throw, and always keep every record that ends before the first mutated byte.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32c, maskCrc } from '../../../src/core/tfevents/crc32c';
import { parseEventBytes } from '../../../src/core/tfevents/read';
import { EventFileTail } from '../../../src/core/tfevents/tail';
import { encodeRecords, type EventSpec, type ScalarEncoding } from '../../../src/core/tfevents/writer';
import type { EventFileContents } from '../../../src/core/tfevents/types';
import { findEventFiles, goldenDir, MemoryEventFile, pointCount, tempDir } from './helpers';

const SEED = Number(process.env.TFEVENTS_FUZZ_SEED ?? 20250325);
const PARSE_MUTANTS = 20_000;
const TAIL_MUTANTS = 400;
/** Every this-many tail mutants goes through a real file on disk instead of memory. */
const ON_DISK_EVERY = 10;
/** Big golden files are cut to this many bytes: the framing is the same all the way through. */
const SLICE_BYTES = 24 * 1024;

/** mulberry32: small, seedable, good enough to pick mutations. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Base {
  name: string;
  bytes: Uint8Array;
  /** End offset of each record, found by walking lengths (independent of the reader under test). */
  recordEnds: number[];
}

function base(name: string, bytes: Uint8Array): Base {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const recordEnds: number[] = [];
  for (let pos = 0; pos + 12 <= bytes.length; ) {
    const end = pos + 16 + view.getUint32(pos, true);
    if (end > bytes.length) break;
    recordEnds.push(end);
    pos = end;
  }
  return { name, bytes, recordEnds };
}

function writerBase(): Base {
  const encodings: ScalarEncoding[] = ['simple_value', 'float_content', 'float_val', 'double_val', 'double_content', 'half_val', 'half_content', 'bfloat16_val'];
  const events: EventSpec[] = [{ kind: 'file_version', wall: 1.7e9 }, { kind: 'text', tag: 'args/text_summary', step: 0, wall: 1.7e9, text: '{"lr": 2e-4}' }];
  for (let step = 1; step <= 120; step++) {
    const encoding = encodings[step % encodings.length]!;
    events.push({ kind: 'scalar', tag: `train/${encoding}`, step, wall: 1.7e9 + step, value: step / 7, encoding, metadata: step <= encodings.length });
  }
  events.push({ kind: 'graph', wall: 1.7e9, graphDef: new Uint8Array(3000).fill(7) });
  return base('writer', encodeRecords(events));
}

function corpus(): Base[] {
  const bases = [writerBase()];
  const golden = goldenDir();
  if (golden === null) return bases;
  for (const file of findEventFiles(path.join(golden, 'tfevents'))) {
    // A plain Uint8Array copy: Buffer#slice would share memory, letting mutants corrupt the base.
    bases.push(base(path.basename(file), new Uint8Array(readFileSync(file).subarray(0, SLICE_BYTES))));
  }
  return bases;
}

interface Mutant {
  bytes: Uint8Array;
  /** Offset of the first byte that differs from the base. */
  firstChanged: number;
  what: string;
}

function mutate(source: Base, next: () => number): Mutant {
  const bytes = source.bytes;
  const at = (limit: number) => Math.floor(next() * limit);
  const kind = at(5);
  if (kind === 0) {
    const cut = at(bytes.length);
    return { bytes: bytes.slice(0, cut), firstChanged: cut, what: `truncate at ${cut}` };
  }
  if (kind === 1) {
    const copy = bytes.slice();
    let first = copy.length;
    for (let flips = 1 + at(3); flips > 0; flips--) {
      const pos = at(copy.length);
      copy[pos]! ^= 1 << at(8);
      first = Math.min(first, pos);
    }
    return { bytes: copy, firstChanged: first, what: `bit flips from ${first}` };
  }
  if (kind === 2) {
    const pos = at(bytes.length + 1);
    const inserted = Uint8Array.from({ length: 1 + at(8) }, () => at(256));
    const copy = new Uint8Array(bytes.length + inserted.length);
    copy.set(bytes.subarray(0, pos));
    copy.set(inserted, pos);
    copy.set(bytes.subarray(pos), pos + inserted.length);
    return { bytes: copy, firstChanged: pos, what: `insert ${inserted.length} at ${pos}` };
  }
  if (kind === 3) {
    const copy = bytes.slice();
    const start = at(copy.length);
    const length = 1 + at(32);
    for (let i = start; i < Math.min(copy.length, start + length); i++) copy[i] = at(256);
    return { bytes: copy, firstChanged: start, what: `overwrite ${length} at ${start}` };
  }
  // A lying length at a record start, half the time with a matching header CRC so it gets past that check.
  const record = at(source.recordEnds.length + 1);
  const start = record === 0 ? 0 : source.recordEnds[record - 1]!;
  if (start + 12 > bytes.length) return { bytes: bytes.slice(), firstChanged: bytes.length, what: 'unchanged' };
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  const high = [0, 1, 0x7fffffff, 0xffffffff][at(4)]! & Math.floor(next() * 2 ** 32);
  view.setUint32(start, Math.floor(next() * 2 ** 32), true);
  view.setUint32(start + 4, high, true);
  if (next() < 0.5) view.setUint32(start + 8, maskCrc(crc32c(copy, start, start + 8)), true);
  return { bytes: copy, firstChanged: start, what: `lying length at ${start}` };
}

/** Records of the base that end at or before `offset`. */
function intactRecords(source: Base, offset: number): number {
  let count = 0;
  while (count < source.recordEnds.length && source.recordEnds[count]! <= offset) count++;
  return count;
}

function intactEnd(source: Base, intact: number): number {
  return intact === 0 ? 0 : source.recordEnds[intact - 1]!;
}

/** Every point of the intact prefix is there, in order, with the same step and value. */
function assertStartsWith(contents: EventFileContents, prefix: EventFileContents, context: string): void {
  for (const [tag, expected] of prefix.scalars) {
    const series = contents.scalars.get(tag);
    assert.ok(series, `${context}: tag ${tag} lost`);
    for (let i = 0; i < expected.step.length; i++) {
      assert.ok(series.step[i] === expected.step[i] && Object.is(series.value[i], expected.value[i]), `${context}: ${tag}[${i}]`);
    }
  }
  assert.ok(contents.texts.length >= prefix.texts.length, `${context}: texts lost`);
}

describe('tfevents fuzz', function () {
  const bases = corpus();

  it(`keeps the valid prefix of ${PARSE_MUTANTS} mutated files (seed ${SEED})`, () => {
    const next = random(SEED);
    for (let i = 0; i < PARSE_MUTANTS; i++) {
      const source = bases[i % bases.length]!;
      const mutant = mutate(source, next);
      const context = `${source.name}: ${mutant.what} (seed ${SEED}, mutant ${i})`;
      const intact = intactRecords(source, mutant.firstChanged);
      const contents = parseEventBytes(mutant.bytes);
      assert.ok(contents.records >= intact, `${context}: ${contents.records} records < ${intact} intact`);
      assert.ok(contents.validBytes >= intactEnd(source, intact), context);
      assert.ok(contents.validBytes <= mutant.bytes.length, context);
      if (contents.damage !== null) {
        assert.equal(contents.damage.offset, contents.validBytes, context);
        assert.match(contents.damage.reason, /^(length crc mismatch|data crc mismatch|impossible length): /, context);
      }
      assertStartsWith(contents, parseEventBytes(source.bytes.subarray(0, intactEnd(source, intact))), context);
    }
  });

  const scratch = tempDir();
  after(() => scratch.remove());

  it(`reads ${TAIL_MUTANTS} mutated files appended piecemeal exactly as a one-shot parse does`, async () => {
    const next = random(SEED + 1);
    for (let i = 0; i < TAIL_MUTANTS; i++) {
      const source = bases[i % bases.length]!;
      const mutant = mutate(source, next);
      const context = `${source.name}: ${mutant.what} (seed ${SEED}, tail mutant ${i})`;
      const memory = new MemoryEventFile();
      const onDisk = i % ON_DISK_EVERY === 0 ? path.join(scratch.dir, `events.out.tfevents.${i}`) : null;
      if (onDisk !== null) writeFileSync(onDisk, new Uint8Array(0));
      const tail = new EventFileTail(onDisk ?? memory.open, { chunkBytes: 64 + Math.floor(next() * 4096) });
      let records = 0;
      let points = 0;
      let damage = null;
      for (let written = 0; written < mutant.bytes.length; ) {
        const piece = mutant.bytes.subarray(written, written + 1 + Math.floor(next() * 3000));
        if (onDisk !== null) appendFileSync(onDisk, piece);
        else memory.append(piece);
        written += piece.length;
        const delta = await tail.poll();
        assert.equal(delta.reset, false, context);
        records += delta.records;
        points += pointCount(delta.scalars);
        damage = delta.damage;
      }
      const whole = parseEventBytes(mutant.bytes);
      assert.deepEqual([records, points, damage], [whole.records, pointCount(whole.scalars), whole.damage], context);
    }
  });
});
