/** Progress listeners and "wait until N rows are indexed" for a dataset whose index grows in the background. */
import type { IndexProgress } from '../types';

export class ProgressHub {
  private readonly listeners = new Set<(progress: IndexProgress) => void>();
  private waiters: { count: number; resolve: (rows: number) => void }[] = [];
  latest: IndexProgress;

  constructor(totalBytes: number, private readonly readyRows: () => number) {
    this.latest = { rowsFound: 0, bytesScanned: 0, totalBytes, done: false };
  }

  on(listener: (progress: IndexProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(progress: IndexProgress): void {
    this.latest = progress;
    for (const listener of this.listeners) listener(progress);
    this.wake(progress.done);
  }

  /** More rows may be ready: wakes the waiters they satisfy (progress listeners hear of it at the next emit). */
  rowsAdded(): void {
    if (this.waiters.length > 0) this.wake(false);
  }

  /** Marks the index finished (done or failed): every waiter resolves with what is there. */
  settle(): void {
    this.latest = { ...this.latest, rowsFound: this.readyRows(), done: true };
    this.wake(true);
  }

  waitFor(count: number): Promise<number> {
    const rows = this.readyRows();
    if (rows >= count || this.latest.done) return Promise.resolve(rows);
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  private wake(all: boolean): void {
    const rows = this.readyRows();
    const ready = this.waiters.filter((w) => all || rows >= w.count);
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve(rows);
  }
}
