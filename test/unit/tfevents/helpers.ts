// Shared by the tfevents tests: where the golden files are, temp folders, an in-memory event file.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EventFileHandle, OpenEventFile } from '../../../src/core/tfevents/file-source';

/** The read-only golden folder (`LLAVA_STUDIO_GOLDEN` overrides), or null when this checkout lacks it. */
export function goldenDir(): string | null {
  const dir = process.env.LLAVA_STUDIO_GOLDEN ?? path.resolve(__dirname, '../../../../shared/golden');
  return existsSync(path.join(dir, 'tfevents')) ? dir : null;
}

export const NO_GOLDEN = 'golden files absent (set LLAVA_STUDIO_GOLDEN or provide ../shared/golden)';

/** Every `events.out.tfevents.*` below `dir`, sorted. */
export function findEventFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findEventFiles(full));
    else if (entry.name.startsWith('events.out.tfevents.')) found.push(full);
  }
  return found.sort();
}

export function fileSize(file: string): number {
  return statSync(file).size;
}

/** A fresh temp folder, removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'llava-tfevents-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An event file in memory: tests grow, cut or replace it and count what polls read. */
export class MemoryEventFile {
  bytes: Uint8Array = new Uint8Array(0);
  identity = 'memory:1';
  bytesRead = 0;

  append(more: Uint8Array): void {
    const grown = new Uint8Array(this.bytes.length + more.length);
    grown.set(this.bytes);
    grown.set(more, this.bytes.length);
    this.bytes = grown;
  }

  readonly open: OpenEventFile = async () => {
    const snapshot = this.bytes;
    const handle: EventFileHandle = {
      size: snapshot.length,
      identity: this.identity,
      read: async (target, offset, length, position) => {
        const part = snapshot.subarray(position, Math.min(snapshot.length, position + length));
        target.set(part, offset);
        this.bytesRead += part.length;
        return part.length;
      },
      close: async () => undefined,
    };
    return handle;
  };
}

/** Total points over all tags of a scalars map. */
export function pointCount(scalars: Map<string, { step: number[] }>): number {
  let count = 0;
  for (const series of scalars.values()) count += series.step.length;
  return count;
}
