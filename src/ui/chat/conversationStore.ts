import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isStoredConversation, settleInterrupted, type StoredConversation } from './conversation';

/** Conversation ids are ours (random hex); anything else is refused before it becomes a file name. */
const ID = /^[a-z0-9-]{1,64}$/;

export function newConversationId(): string {
  return `c-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}

/** Pending writes of one conversation: at most one running and one waiting (which takes the newest snapshot). */
interface WriteQueue {
  /** The write not yet started; later saves join it. */
  waiting: Promise<void> | null;
  /** The conversation object the waiting write will serialize (the newest one passed to save). */
  latest: StoredConversation;
  /** Settles when every write queued so far has. */
  tail: Promise<void>;
}

/**
 * One JSON file per conversation under the workspace's storage folder (`<dir>/<id>.json`). Writes go
 * to a temporary file, are fsynced and renamed into place, so a crash never leaves half a
 * conversation. Saves of one conversation run one after the other, each serializing the conversation
 * as it is when it starts, so an older snapshot can never be renamed over a newer one.
 */
export class ConversationStore {
  private readonly queues = new Map<string, WriteQueue>();

  constructor(readonly dir: string, private readonly keep = 200) {}

  private file(id: string): string {
    if (!ID.test(id)) throw new Error(`invalid conversation id ${JSON.stringify(id)}`);
    return join(this.dir, `${id}.json`);
  }

  /** The stored conversation, or null when it is absent or unreadable (an unreadable file is kept aside). */
  async load(id: string): Promise<StoredConversation | null> {
    const file = this.file(id);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return null;
    }
    try {
      const value: unknown = JSON.parse(text);
      if (isStoredConversation(value) && value.id === id) return settleInterrupted(value);
    } catch {
      // fall through: keep the damaged file for inspection instead of overwriting it later
    }
    await rename(file, `${file}.damaged-${Date.now()}`).catch(() => {});
    return null;
  }

  save(conversation: StoredConversation): Promise<void> {
    let target: string;
    try {
      target = this.file(conversation.id);
    } catch (error) {
      return Promise.reject(error);
    }
    const id = conversation.id;
    const queue = this.queues.get(id);
    if (queue?.waiting) {
      queue.latest = conversation;
      return queue.waiting;
    }
    const entry: WriteQueue = queue ?? { waiting: null, latest: conversation, tail: Promise.resolve() };
    entry.latest = conversation;
    const write = entry.tail.then(() => {
      entry.waiting = null;
      return this.write(target, entry.latest);
    });
    entry.waiting = write;
    const tail: Promise<void> = write.catch(() => {}).then(() => {
      if (entry.tail === tail && this.queues.get(id) === entry) this.queues.delete(id);
    });
    entry.tail = tail;
    this.queues.set(id, entry);
    return write;
  }

  /** Resolves when every save asked for so far (and any queued meanwhile) is on disk or has failed. */
  async flush(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()].map((queue) => queue.tail));
  }

  private async write(target: string, conversation: StoredConversation): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const temp = `${target}.tmp-${randomBytes(4).toString('hex')}`;
    try {
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(`${JSON.stringify(conversation)}\n`);
        await handle.sync(); // the bytes are on disk before the name points at them
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      throw error;
    }
    await syncDir(this.dir);
  }

  async remove(id: string): Promise<void> {
    await rm(this.file(id), { force: true });
  }

  /** Ids of stored conversations, newest first. */
  async list(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const entries = await Promise.all(names.filter((n) => n.endsWith('.json') && ID.test(n.slice(0, -5))).map(async (name) => {
      const info = await stat(join(this.dir, name)).catch(() => null);
      return { id: name.slice(0, -5), mtime: info?.mtimeMs ?? 0 };
    }));
    return entries.sort((a, b) => b.mtime - a.mtime).map((e) => e.id);
  }

  /** Drops the oldest conversations beyond `keep` (pasted images stay: they are shared by content hash). */
  async prune(): Promise<number> {
    const ids = await this.list();
    const old = ids.slice(this.keep);
    await Promise.all(old.map((id) => this.remove(id)));
    return old.length;
  }
}

/** Makes a rename durable (POSIX); folders cannot be opened for sync on Windows, which is fine to skip. */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r').catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // some file systems refuse fsync on a folder: the rename itself has happened
  } finally {
    await handle.close();
  }
}
