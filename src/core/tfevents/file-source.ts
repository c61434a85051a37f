// The only place the reader touches the file system; tests swap in their own `OpenEventFile`.
import { open } from 'node:fs/promises';

/** An event file opened for one poll: its size and identity at open time, and positional reads. */
export interface EventFileHandle {
  size: number;
  /** Changes when the path now names a different file (device + inode). */
  identity: string;
  /** Reads up to `length` bytes at file `position` into target[offset..]; returns how many were read. */
  read(target: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

export type OpenEventFile = () => Promise<EventFileHandle>;

/**
 * Opens the file afresh on every poll rather than holding it open, so writers can rotate or delete
 * it (Windows refuses to delete an open file).
 */
export function nodeEventFile(path: string): OpenEventFile {
  return async () => {
    const file = await open(path, 'r');
    try {
      const stat = await file.stat({ bigint: true });
      return {
        size: Number(stat.size),
        identity: `${stat.dev}:${stat.ino}`,
        read: async (target, offset, length, position) =>
          (await file.read(target, offset, length, position)).bytesRead,
        close: () => file.close(),
      };
    } catch (error) {
      await file.close();
      throw error;
    }
  };
}
