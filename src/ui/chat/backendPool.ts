import { createHash } from 'node:crypto';
import type { BackendConfig, ChatBackend } from '../../core/chat/types';

/**
 * One backend per distinct configuration, shared by every chat panel: a worker process (and its GPU
 * memory) is started once however many panels use it. Backends load lazily (createChatBackend).
 */
export class BackendPool {
  private readonly backends = new Map<string, Promise<ChatBackend>>();

  constructor(private readonly create: (config: BackendConfig) => Promise<ChatBackend>) {}

  get(config: BackendConfig): Promise<ChatBackend> {
    const key = poolKey(config);
    let backend = this.backends.get(key);
    if (!backend) {
      backend = this.create(config);
      this.backends.set(key, backend);
      backend.catch(() => this.backends.delete(key));
    }
    return backend;
  }

  get size(): number {
    return this.backends.size;
  }

  /** Unloads models and stops workers (extension deactivation). */
  async dispose(): Promise<void> {
    const all = [...this.backends.values()];
    this.backends.clear();
    await Promise.all(all.map(async (b) => (await b.catch(() => null))?.dispose()));
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
