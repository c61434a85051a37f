import assert from 'node:assert/strict';
import { ModelCache, type CacheEvent, type Clock } from '../../../src/core/chat/modelCache';

/** A clock whose time moves only when the test says so. */
class FakeClock implements Clock {
  now = 0;
  private timers = new Map<number, { at: number; callback: () => void }>();
  private next = 1;
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { at: this.now + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  async advance(ms: number): Promise<void> {
    this.now += ms;
    for (const [id, timer] of [...this.timers]) {
      if (timer.at <= this.now) {
        this.timers.delete(id);
        timer.callback();
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  get pending(): number {
    return this.timers.size;
  }
}

function setup(idleMs = 1000) {
  const clock = new FakeClock();
  const events: string[] = [];
  const disposed: string[] = [];
  let loads = 0;
  const cache = new ModelCache<string>({
    idleMs,
    clock,
    dispose: async (value) => void disposed.push(value),
    onEvent: (event: CacheEvent) => events.push(`${event.type}:${event.key}`),
  });
  const load = (key: string) => async () => {
    loads++;
    return `model-${key}`;
  };
  return { clock, cache, events, disposed, load, loads: () => loads };
}

describe('ModelCache', () => {
  it('loads lazily once and unloads after the idle time', async () => {
    const { clock, cache, disposed, load, loads } = setup();
    assert.equal(cache.residentKey, null);
    const a = await cache.acquire('a', load('a'));
    const b = await cache.acquire('a', load('a'));
    assert.equal(loads(), 1);
    assert.equal(a.value, 'model-a');
    a.release();
    await clock.advance(5000);
    assert.equal(cache.residentKey, 'a', 'still leased by b');
    b.release();
    await clock.advance(999);
    assert.equal(cache.residentKey, 'a');
    await clock.advance(1);
    assert.equal(cache.residentKey, null);
    assert.deepEqual(disposed, ['model-a']);
  });

  it('restarts the idle timer when used again', async () => {
    const { clock, cache, disposed, load } = setup();
    (await cache.acquire('a', load('a'))).release();
    await clock.advance(800);
    (await cache.acquire('a', load('a'))).release();
    await clock.advance(800);
    assert.deepEqual(disposed, []);
    await clock.advance(200);
    assert.deepEqual(disposed, ['model-a']);
  });

  it('keeps one model resident: a different key unloads the old one first', async () => {
    const { cache, events, load } = setup();
    (await cache.acquire('a', load('a'))).release();
    (await cache.acquire('b', load('b'))).release();
    assert.deepEqual(events, ['loaded:a', 'unloaded:a', 'loaded:b']);
    assert.equal(cache.residentKey, 'b');
  });

  it('shares one load between concurrent callers', async () => {
    const { cache, load, loads } = setup();
    const [x, y] = await Promise.all([cache.acquire('a', load('a')), cache.acquire('a', load('a'))]);
    assert.equal(loads(), 1);
    assert.equal(x.value, y.value);
  });

  it('forgets a failed load so the next call retries', async () => {
    const { cache, load, loads } = setup();
    await assert.rejects(cache.acquire('a', async () => { throw new Error('disk on fire'); }), /disk on fire/);
    assert.equal(cache.residentKey, null);
    (await cache.acquire('a', load('a'))).release();
    assert.equal(loads(), 1);
  });

  it('defers disposal of a model still in use until it is released', async () => {
    const { cache, disposed, load } = setup();
    const lease = await cache.acquire('a', load('a'));
    await cache.unload();
    assert.deepEqual(disposed, []);
    lease.release();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(disposed, ['model-a']);
  });

  it('unload() disposes at once and cancels the timer', async () => {
    const { clock, cache, disposed, load } = setup();
    (await cache.acquire('a', load('a'))).release();
    assert.equal(clock.pending, 1);
    await cache.unload();
    assert.equal(clock.pending, 0);
    assert.deepEqual(disposed, ['model-a']);
  });
});
