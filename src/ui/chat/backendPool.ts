import { createHash } from 'node:crypto';
import type { BackendConfig, ChatBackend, ChatEvent, ChatImage, ChatMessage, GenerateOptions } from '../../core/chat/types';

/** A pooled backend that knows whether a stream is running, so retiring it never cuts an answer off. */
class PooledBackend implements ChatBackend {
  private streams = 0;
  private idle: (() => void)[] = [];

  constructor(private readonly inner: ChatBackend) {}

  get kind() {
    return this.inner.kind;
  }

  get model(): string {
    return this.inner.model;
  }

  async *stream(messages: ChatMessage[], images: ChatImage[], options?: GenerateOptions, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    this.streams++;
    try {
      yield* this.inner.stream(messages, images, options, signal);
    } finally {
      if (--this.streams === 0) for (const wake of this.idle.splice(0)) wake();
    }
  }

  whenIdle(): Promise<void> {
    return this.streams === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }

  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}

interface Entry {
  /** The config without its secret: what "a current target uses this backend" compares. */
  identity: string;
  backend: Promise<PooledBackend>;
}

/**
 * One backend per distinct configuration, shared by every chat panel: a worker process (and its GPU
 * memory) is started once however many panels use it. Backends load lazily (createChatBackend).
 * Backends no current target uses are retired (disposed once their running streams end) instead of
 * holding memory until their idle stop.
 */
export class BackendPool {
  private readonly backends = new Map<string, Entry>();
  private readonly retiring = new Set<Promise<void>>();
  /** Resolved by dispose: retiring backends stop at once instead of waiting for their streams. */
  private release!: () => void;
  private readonly released = new Promise<void>((resolve) => { this.release = resolve; });

  constructor(private readonly create: (config: BackendConfig) => Promise<ChatBackend>) {}

  get(config: BackendConfig): Promise<ChatBackend> {
    const key = poolKey(config);
    let entry = this.backends.get(key);
    if (!entry) {
      const identity = identityKey(config);
      // The same server with another API key: the old backend is of no further use.
      for (const [otherKey, other] of this.backends) if (other.identity === identity) this.retire(otherKey, other);
      const backend = this.create(config).then((made) => new PooledBackend(made));
      entry = { identity, backend };
      this.backends.set(key, entry);
      const created = entry;
      backend.catch(() => { if (this.backends.get(key) === created) this.backends.delete(key); });
    }
    return entry.backend;
  }

  get size(): number {
    return this.backends.size;
  }

  /**
   * Keeps the backends of `configs` (the targets the settings and open panels name now) and retires
   * every other one: its worker stops (freeing GPU memory) as soon as no answer is streaming from it.
   * Resolves when the retired ones have stopped.
   */
  async retain(configs: readonly BackendConfig[]): Promise<void> {
    const wanted = new Set(configs.map(identityKey));
    for (const [key, entry] of this.backends) if (!wanted.has(entry.identity)) this.retire(key, entry);
    await Promise.all([...this.retiring]);
  }

  /** Unloads models and stops workers (extension deactivation), retiring ones included, without waiting for streams. */
  async dispose(): Promise<void> {
    const all = [...this.backends.values()];
    this.backends.clear();
    this.release();
    await Promise.all([
      ...all.map(async (entry) => (await entry.backend.catch(() => null))?.dispose()),
      ...this.retiring,
    ]);
  }

  private retire(key: string, entry: Entry): void {
    this.backends.delete(key);
    const done = (async () => {
      const backend = await entry.backend.catch(() => null);
      if (!backend) return;
      await Promise.race([backend.whenIdle(), this.released]);
      await backend.dispose();
    })().catch(() => {});
    this.retiring.add(done);
    void done.then(() => this.retiring.delete(done));
  }
}

/** The pool key: the config, with a secret replaced by its hash (a new key makes a new backend; the key itself is never kept). */
export function poolKey(config: BackendConfig): string {
  if (config.kind === 'openai' && config.apiKey) {
    const { apiKey, fetch: _fetch, ...rest } = config;
    return JSON.stringify({ ...rest, apiKey: createHash('sha256').update(apiKey).digest('hex').slice(0, 16) });
  }
  return JSON.stringify(config);
}

function identityKey(config: BackendConfig): string {
  if (config.kind !== 'openai') return JSON.stringify(config);
  const { apiKey: _key, fetch: _fetch, ...rest } = config;
  return JSON.stringify(rest);
}
