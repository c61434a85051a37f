// One-shot readers: a whole file from disk, or bytes already in memory.
import { EventDecoder } from './event-decoder';
import { scanRecords } from './record-scanner';
import { EventFileTail, type EventFileTailOptions } from './tail';
import type { EventFileContents } from './types';

/** Reads every complete record of an event file; an unwritten tail is left out, damage is reported. */
export async function readEventFile(path: string, options?: EventFileTailOptions): Promise<EventFileContents> {
  const tail = new EventFileTail(path, options);
  const { records, scalars, texts, fileVersion, damage } = await tail.poll();
  return { records, scalars, texts, fileVersion, damage, validBytes: tail.position };
}

/** Decodes event-file bytes held in memory; never throws on bad input (damage is reported instead). */
export function parseEventBytes(bytes: Uint8Array): EventFileContents {
  const decoder = new EventDecoder();
  const decoded = decoder.begin();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scan = scanRecords(bytes, view, 0, bytes.length, decoder);
  const damage = scan.damage === null ? null : { offset: scan.end, reason: scan.damage };
  return { ...decoded, damage, validBytes: scan.end };
}
