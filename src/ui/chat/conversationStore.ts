import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isStoredConversation, settleInterrupted, type StoredConversation } from './conversation';

/** Conversation ids are ours (random hex); anything else is refused before it becomes a file name. */
const ID = /^[a-z0-9-]{1,64}$/;

export function newConversationId(): string {
  return `c-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}

/**
 * One JSON file per conversation under the workspace's storage folder (`<dir>/<id>.json`). Writes go
 * to a temporary file first and are renamed into place, so a crash never leaves half a conversation.
 */
export class ConversationStore {
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

  async save(conversation: StoredConversation): Promise<void> {
    const target = this.file(conversation.id);
    await mkdir(this.dir, { recursive: true });
    const temp = `${target}.tmp-${randomBytes(4).toString('hex')}`;
    await writeFile(temp, `${JSON.stringify(conversation)}\n`);
    await rename(temp, target);
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
