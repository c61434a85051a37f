/** Timers the cache uses; tests pass a fake to move time by hand. */
export interface Clock {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  // unref: a resident model must not keep the CLI (or a test run) alive.
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface Lease<T> {
  readonly value: T;
  /** Call exactly once when done; the idle timer starts when the last lease is released. */
  release(): void;
}

export type CacheEvent = { type: 'loaded' | 'unloaded'; key: string };

interface Entry<T> {
  key: string;
  loading: Promise<T>;
  value: T | null;
  leases: number;
  timer: unknown;
  /** Evicted while leased: dispose when the last lease is released. */
  doomed: boolean;
}

/**
 * Keeps at most ONE model resident (models are hundreds of MB): loads lazily on first acquire,
 * shares a load in flight, swaps when another key is asked for, and unloads after `idleMs` unused.
 */
export class ModelCache<T> {
  private entry: Entry<T> | null = null;
  private readonly clock: Clock;
  /** Idle time before unloading; changing it affects the next release. */
  idleMs: number;

  constructor(private readonly options: {
    idleMs: number;
    dispose: (value: T) => Promise<void>;
    clock?: Clock;
    onEvent?: (event: CacheEvent) => void;
  }) {
    this.clock = options.clock ?? realClock;
    this.idleMs = options.idleMs;
  }

  get residentKey(): string | null {
    return this.entry?.value ? this.entry.key : null;
  }

  async acquire(key: string, load: () => Promise<T>): Promise<Lease<T>> {
    if (this.entry && this.entry.key !== key) await this.evict(this.entry);
    let entry = this.entry;
    if (!entry) {
      entry = { key, loading: load(), value: null, leases: 0, timer: null, doomed: false };
      this.entry = entry;
      const created = entry;
      created.loading.then(
        (value) => {
          created.value = value;
          this.options.onEvent?.({ type: 'loaded', key });
        },
        () => {
          if (this.entry === created) this.entry = null; // a failed load is retried next time
        },
      );
    }
    this.stopTimer(entry);
    entry.leases++;
    let value: T;
    try {
      value = await entry.loading;
    } catch (error) {
      entry.leases--;
      throw error;
    }
    let released = false;
    return {
      value,
      release: () => {
        if (released) return;
        released = true;
        entry.leases--;
        if (entry.leases > 0) return;
        if (entry.doomed) void this.disposeEntry(entry);
        else if (this.entry === entry) entry.timer = this.clock.setTimeout(() => void this.evict(entry), this.idleMs);
      },
    };
  }

  /** Unloads now (e.g. on dispose or when memory is needed). Leases already handed out stay valid until released. */
  async unload(): Promise<void> {
    if (this.entry) await this.evict(this.entry);
  }

  private stopTimer(entry: Entry<T>): void {
    if (entry.timer !== null) this.clock.clearTimeout(entry.timer);
    entry.timer = null;
  }

  private async evict(entry: Entry<T>): Promise<void> {
    this.stopTimer(entry);
    if (this.entry === entry) this.entry = null;
    if (entry.leases > 0) entry.doomed = true;
    else await this.disposeEntry(entry);
  }

  private async disposeEntry(entry: Entry<T>): Promise<void> {
    const value = await entry.loading.catch(() => null);
    if (value !== null) {
      await this.options.dispose(value);
      this.options.onEvent?.({ type: 'unloaded', key: entry.key });
    }
  }
}
