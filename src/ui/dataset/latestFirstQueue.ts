/**
 * Work for rows on screen, newest request first, a bounded number at a time. A job whose row has
 * scrolled out of view by the time its turn comes is answered `skipped` without running: scrolling
 * through 10,000 rows must not leave 10,000 thumbnails to make.
 */
interface Job<T> {
  key: number;
  task: () => Promise<T>;
  skipped: () => T;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export class LatestFirstQueue {
  private readonly stack: Job<unknown>[] = [];
  private active = 0;

  constructor(private readonly concurrency: number, private readonly stillWanted: (key: number) => boolean) {}

  get pending(): number {
    return this.stack.length;
  }

  add<T>(key: number, task: () => Promise<T>, skipped: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.stack.push({ key, task, skipped, resolve, reject } as Job<unknown>);
      this.pump();
    });
  }

  private pump(): void {
    while (this.active < this.concurrency && this.stack.length > 0) {
      const job = this.stack.pop()!;
      if (!this.stillWanted(job.key)) {
        job.resolve(job.skipped());
        continue;
      }
      this.active++;
      job.task().then(job.resolve, job.reject).finally(() => {
        this.active--;
        this.pump();
      });
    }
  }
}

/** Calls `fn` at most once per `ms`, trailing; `flush` calls it now if a call is pending. */
export class Throttle {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pendingCall = false;

  constructor(private readonly fn: () => void, private readonly ms: number) {}

  call(): void {
    this.pendingCall = true;
    this.timer ??= setTimeout(() => this.flush(), this.ms);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pendingCall) return;
    this.pendingCall = false;
    this.fn();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pendingCall = false;
  }
}
