// The incremental tail: unwritten records, damage, lying lengths, files that shrink or are replaced.
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32c, maskCrc } from '../../../src/core/tfevents/crc32c';
import { parseEventBytes, readEventFile } from '../../../src/core/tfevents/read';
import { EventFileTail } from '../../../src/core/tfevents/tail';
import { encodeRecords, type EventSpec } from '../../../src/core/tfevents/writer';
import { MemoryEventFile, pointCount, tempDir } from './helpers';

const WALL = 1_742_826_235;
const scalar = (step: number, tag = 'train/loss'): EventSpec => ({ kind: 'scalar', tag, step, wall: WALL + step, value: step / 10 });
const records = (...events: EventSpec[]) => encodeRecords(events);

/** A record header claiming `length` bytes (as high/low words), with a valid or a wrong CRC. */
function header(lengthHigh: number, lengthLow: number, validCrc = true): Uint8Array {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, lengthLow, true);
  view.setUint32(4, lengthHigh, true);
  const crc = maskCrc(crc32c(bytes, 0, 8));
  view.setUint32(8, validCrc ? crc : crc ^ 1, true);
  return bytes;
}

describe('tfevents tail', () => {
  it('waits for a half-written record and re-reads it from its start once complete', async () => {
    const file = new MemoryEventFile();
    file.append(records({ kind: 'file_version', wall: WALL }, scalar(1), scalar(2)));
    const tail = new EventFileTail(file.open);
    const first = await tail.poll();
    assert.equal(first.records, 3);
    assert.deepEqual(first.scalars.get('train/loss')?.step, [1, 2]);

    const third = records(scalar(3));
    for (const cut of [5, 12, third.length - 1]) {
      const partial = new MemoryEventFile();
      partial.append(file.bytes);
      const partialTail = new EventFileTail(partial.open);
      await partialTail.poll();
      partial.append(third.subarray(0, cut));
      const waiting = await partialTail.poll();
      assert.deepEqual([waiting.records, waiting.damage, waiting.reset], [0, null, false], `cut at ${cut}`);
      assert.equal(partialTail.position, file.bytes.length);
      partial.append(third.subarray(cut));
      const before = partial.bytesRead;
      const done = await partialTail.poll();
      assert.deepEqual(done.scalars.get('train/loss')?.step, [3], `cut at ${cut}`);
      assert.equal(partial.bytesRead - before, third.length, 'the poll reads the record once, from its start');
    }
  });

  it('reads only appended bytes on each poll', async () => {
    const file = new MemoryEventFile();
    file.append(records(scalar(1), scalar(2)));
    const tail = new EventFileTail(file.open);
    await tail.poll();
    assert.equal(file.bytesRead, file.bytes.length);
    const more = records(scalar(3), scalar(4, 'train/grad_norm'));
    file.append(more);
    const delta = await tail.poll();
    assert.equal(file.bytesRead, file.bytes.length);
    assert.deepEqual([...delta.scalars.keys()], ['train/loss', 'train/grad_norm']);
    const idle = await tail.poll();
    assert.deepEqual([idle.records, idle.scalars.size, file.bytesRead], [0, 0, file.bytes.length]);
  });

  for (const [name, flip, reason] of [
    ['data', (recordStart: number, recordLength: number) => recordStart + recordLength - 6, /^data crc mismatch: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}$/],
    ['length', (recordStart: number) => recordStart + 2, /^length crc mismatch: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}$/],
  ] as const) {
    it(`keeps the records before a ${name} CRC error, reports its offset and never reads past it`, async () => {
      const good = records(...[1, 2, 3, 4, 5].map((step) => scalar(step)));
      const bad = records(scalar(6));
      const file = new MemoryEventFile();
      file.append(good);
      file.append(bad);
      file.append(records(scalar(7)));
      file.bytes[flip(good.length, bad.length)]! ^= 0x10;
      const tail = new EventFileTail(file.open);
      const delta = await tail.poll();
      assert.deepEqual(delta.scalars.get('train/loss')?.step, [1, 2, 3, 4, 5]);
      assert.equal(delta.damage?.offset, good.length);
      assert.match(delta.damage?.reason ?? '', reason);
      file.append(records(scalar(8)));
      const readBefore = file.bytesRead;
      const later = await tail.poll();
      assert.deepEqual([later.records, later.damage], [0, delta.damage]);
      assert.equal(file.bytesRead, readBefore, 'nothing past the damage is read again');
    });
  }

  it('finds damage deep in a long file exactly (past several batched CRC runs)', async () => {
    const events = Array.from({ length: 5000 }, (_, step) => scalar(step, `train/${step % 4}`));
    const bytes = encodeRecords(events);
    const view = new DataView(bytes.buffer);
    let pos = 0;
    let record = 0;
    for (; pos < 200_000; record++) pos += 16 + view.getUint32(pos, true);
    bytes[pos + 14]! ^= 0x80; // inside the data of record `record`
    const parsed = parseEventBytes(bytes);
    assert.deepEqual([parsed.records, parsed.damage?.offset], [record, pos]);
    const file = new MemoryEventFile();
    file.append(bytes);
    const delta = await new EventFileTail(file.open, { chunkBytes: 100_000 }).poll();
    assert.deepEqual([delta.records, delta.damage], [record, parsed.damage]);
    assert.equal(pointCount(delta.scalars), record);
  });

  for (const [high, low, text] of [
    [0xffffffff, 0xffffffff, '18446744073709551615'],
    [0x100, 0, '1099511627776'],
    [0, 0x80000000, '2147483648'],
  ] as const) {
    it(`reports a lying length ${text} with a valid header CRC as damage without allocating it`, async () => {
      const file = new MemoryEventFile();
      file.append(records(scalar(1)));
      const prefix = file.bytes.length;
      file.append(header(high, low));
      file.append(new Uint8Array(100));
      const delta = await new EventFileTail(file.open).poll();
      assert.equal(delta.records, 1);
      assert.deepEqual(delta.damage, { offset: prefix, reason: `impossible length: ${text}` });
    });
  }

  it('treats a plausible length beyond the end as not yet written', async () => {
    const file = new MemoryEventFile();
    file.append(records(scalar(1)));
    file.append(header(0, 2 ** 31 - 100));
    const tail = new EventFileTail(file.open);
    const delta = await tail.poll();
    assert.deepEqual([delta.records, delta.damage], [1, null]);
    assert.ok(file.bytesRead < 200, 'the claimed length is never read or allocated');
  });

  it('reports a lying length whose header CRC is wrong as a length CRC mismatch', () => {
    const bytes = new Uint8Array([...records(scalar(1)), ...header(0xffffffff, 0xffffffff, false)]);
    assert.match(parseEventBytes(bytes).damage?.reason ?? '', /^length crc mismatch/);
  });

  it('starts over when the file shrinks', async () => {
    const { dir, remove } = tempDir();
    try {
      const file = path.join(dir, 'events.out.tfevents.1.host.1.0');
      writeFileSync(file, records(scalar(1), scalar(2), scalar(3)));
      const tail = new EventFileTail(file);
      assert.equal((await tail.poll()).records, 3);
      writeFileSync(file, records(scalar(10, 'eval/loss')));
      const delta = await tail.poll();
      assert.equal(delta.reset, true);
      assert.deepEqual([...delta.scalars.keys()], ['eval/loss']);
      appendFileSync(file, records(scalar(11, 'eval/loss')));
      const next = await tail.poll();
      assert.deepEqual([next.reset, next.scalars.get('eval/loss')?.step], [false, [11]]);
    } finally {
      remove();
    }
  });

  it('starts over when the path names a different file, and forgets damage', async () => {
    const file = new MemoryEventFile();
    file.append(records(scalar(1)));
    file.bytes[20]! ^= 1;
    const tail = new EventFileTail(file.open);
    assert.ok((await tail.poll()).damage);
    file.identity = 'memory:2';
    file.bytes = records(scalar(1), scalar(2));
    const delta = await tail.poll();
    assert.deepEqual([delta.reset, delta.damage, delta.records], [true, null, 2]);
  });

  it('gives the same result at every chunk size, including records larger than a chunk', async () => {
    const events: EventSpec[] = [{ kind: 'file_version', wall: WALL }, { kind: 'text', tag: 'args', step: 0, wall: WALL, text: 'x'.repeat(5000) }];
    for (let step = 1; step < 300; step++) events.push(scalar(step), scalar(step, `t/${step % 7}`));
    const bytes = encodeRecords(events);
    const whole = parseEventBytes(bytes);
    for (const chunkBytes of [64, 100, 333, 4096, 1 << 20]) {
      const file = new MemoryEventFile();
      file.append(bytes);
      const delta = await new EventFileTail(file.open, { chunkBytes }).poll();
      assert.equal(delta.records, whole.records, `chunk ${chunkBytes}`);
      assert.deepEqual(delta.scalars, whole.scalars, `chunk ${chunkBytes}`);
      assert.deepEqual(delta.texts, whole.texts);
      assert.equal(file.bytesRead, bytes.length, 'every byte is read once');
    }
  });

  it('runs concurrent polls one after another', async () => {
    const file = new MemoryEventFile();
    file.append(records(...Array.from({ length: 50 }, (_, i) => scalar(i))));
    const tail = new EventFileTail(file.open);
    const deltas = await Promise.all([tail.poll(), tail.poll(), tail.poll()]);
    assert.deepEqual(deltas.map((delta) => pointCount(delta.scalars)), [50, 0, 0]);
  });

  it('leaves an unwritten tail out of readEventFile without calling it damage', async () => {
    const { dir, remove } = tempDir();
    try {
      const file = path.join(dir, 'events.out.tfevents.1.host.1.0');
      const complete = records(scalar(1), scalar(2));
      writeFileSync(file, new Uint8Array([...complete, ...records(scalar(3)).subarray(0, 20)]));
      const contents = await readEventFile(file);
      assert.deepEqual([contents.records, contents.damage, contents.validBytes], [2, null, complete.length]);
    } finally {
      remove();
    }
  });
});
