import assert from 'node:assert/strict';
import { LatestFirstQueue, Throttle } from '../../../src/ui/dataset/latestFirstQueue';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('dataset preview: thumbnail queue and throttle', () => {
  it('runs newest requests first, a bounded number at a time, and skips rows scrolled away', async () => {
    const wanted = new Set([1, 2, 3, 4]);
    const queue = new LatestFirstQueue(1, (row) => wanted.has(row));
    const started: number[] = [];
    let active = 0;
    let most = 0;
    const gates = new Map<number, () => void>();
    const job = (row: number) => queue.add(row, async () => {
      started.push(row);
      most = Math.max(most, ++active);
      await new Promise<void>((resolve) => gates.set(row, resolve));
      active--;
      return `made ${row}`;
    }, () => `skipped ${row}`);
    const results = [job(1), job(2), job(3), job(4)];
    wanted.delete(2); // scrolled away while waiting
    gates.get(1)!();
    await tick();
    await tick();
    gates.get(4)?.();
    await tick();
    await tick();
    gates.get(3)?.();
    assert.deepEqual(await Promise.all(results), ['made 1', 'skipped 2', 'made 3', 'made 4']);
    assert.deepEqual(started, [1, 4, 3], 'the first starts at once, then the newest');
    assert.equal(most, 1);
  });

  it('a failing job rejects only its own promise', async () => {
    const queue = new LatestFirstQueue(2, () => true);
    const bad = queue.add(1, async () => { throw new Error('decode failed'); }, () => 0);
    const good = queue.add(2, async () => 2, () => 0);
    await assert.rejects(bad, /decode failed/);
    assert.equal(await good, 2);
  });

  it('Throttle calls once per burst, and flush calls a pending one now', async () => {
    let calls = 0;
    const throttle = new Throttle(() => calls++, 20);
    throttle.call();
    throttle.call();
    throttle.call();
    assert.equal(calls, 0);
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(calls, 1);
    throttle.call();
    throttle.flush();
    assert.equal(calls, 2);
    throttle.flush();
    assert.equal(calls, 2, 'nothing pending: no call');
    throttle.call();
    throttle.dispose();
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(calls, 2, 'disposed: the pending call is dropped');
  });
});
