import assert from 'node:assert/strict';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openEventTail } from '../../../src/core/runs/eventTail';
import { RunScalarsReader } from '../../../src/core/runs/scalarsReader';
import { readTrainerState } from '../../../src/core/runs/trainerState';
import { encodeRecords, type EventSpec } from '../../../src/core/tfevents/writer';
import { goldenDir, makeTree } from '../helpers/tempTree';

const loss = (steps: number[], offset = 0): EventSpec[] =>
  steps.map((step) => ({ kind: 'scalar', tag: 'train/loss', step, wall: 1_700_000_000 + step, value: 1 / step + offset }));

describe('RunScalarsReader', () => {
  let tree: ReturnType<typeof makeTree>;
  beforeEach(() => {
    tree = makeTree({ 'run/runs/a/': '', 'run/runs/b/': '' });
  });
  afterEach(() => tree.remove());
  const first = () => join(tree.root, 'run/runs/a/events.out.tfevents.1700000000.h.1.0');
  const second = () => join(tree.root, 'run/runs/b/events.out.tfevents.1700000500.h.2.0');

  it('replaces first, then appends only new points, then reports none', async () => {
    writeFileSync(first(), encodeRecords([{ kind: 'file_version', wall: 1_700_000_000 }, ...loss([1, 2, 3])]));
    const reader = new RunScalarsReader(join(tree.root, 'run'), openEventTail);
    const initial = await reader.update();
    assert.equal(initial.kind, 'replace');
    assert.deepEqual(initial.kind === 'replace' && initial.scalars.series.get('train/loss')!.step, [1, 2, 3]);

    appendFileSync(first(), encodeRecords(loss([4, 5])));
    const next = await reader.update();
    assert.equal(next.kind, 'append');
    assert.deepEqual(next.kind === 'append' && next.series.get('train/loss')!.step, [4, 5]);
    assert.equal((await reader.update()).kind, 'none');
    assert.deepEqual(reader.snapshot().series.get('train/loss')!.step, [1, 2, 3, 4, 5]);
  });

  it('a resumed run (new file restarting at an earlier step) replaces the overlap with the newer points', async () => {
    writeFileSync(first(), encodeRecords(loss([10, 20, 30, 40])));
    const reader = new RunScalarsReader(join(tree.root, 'run'), openEventTail);
    await reader.update();
    writeFileSync(second(), encodeRecords(loss([30, 40, 50], 100)));
    const update = await reader.update();
    assert.equal(update.kind, 'replace');
    const line = reader.snapshot().series.get('train/loss')!;
    assert.deepEqual(line.step, [10, 20, 30, 40, 50]);
    assert.ok(line.value[2]! > 100 && line.value[1]! < 100);
  });

  it('a half-written record is not a point until it is complete', async () => {
    const bytes = encodeRecords(loss([1, 2]));
    writeFileSync(first(), bytes.subarray(0, bytes.length - 5));
    const reader = new RunScalarsReader(join(tree.root, 'run'), openEventTail);
    await reader.update();
    assert.deepEqual(reader.snapshot().series.get('train/loss')!.step, [1]);
    appendFileSync(first(), bytes.subarray(bytes.length - 5));
    const update = await reader.update();
    assert.equal(update.kind, 'append');
    assert.deepEqual(reader.snapshot().series.get('train/loss')!.step, [1, 2]);
  });

  it('damage appearing in a live file is reported through a rebuild, keeping the points before it', async () => {
    writeFileSync(first(), encodeRecords(loss([1, 2])));
    const reader = new RunScalarsReader(join(tree.root, 'run'), openEventTail);
    await reader.update();
    const bad = encodeRecords(loss([3]));
    bad[bad.length - 1]! ^= 0xff;
    appendFileSync(first(), bad);
    const update = await reader.update();
    assert.equal(update.kind, 'replace');
    const snapshot = reader.snapshot();
    assert.equal(snapshot.damage.length, 1);
    assert.deepEqual(snapshot.series.get('train/loss')!.step, [1, 2]);
  });

  it('a deleted event file rebuilds the run without it', async () => {
    writeFileSync(first(), encodeRecords(loss([1, 2])));
    writeFileSync(second(), encodeRecords(loss([3])));
    const reader = new RunScalarsReader(join(tree.root, 'run'), openEventTail);
    await reader.update();
    rmSync(second());
    assert.equal((await reader.update()).kind, 'replace');
    assert.deepEqual(reader.snapshot().series.get('train/loss')!.step, [1, 2]);
  });

  it('falls back to trainer_state.json log_history when there are no scalar events', async () => {
    writeFileSync(join(tree.root, 'run/trainer_state.json'), JSON.stringify({ log_history: [{ step: 5, loss: 1.5 }, { step: 5, eval_loss: 1.2 }] }));
    const reader = new RunScalarsReader(join(tree.root, 'run'), openEventTail);
    const update = await reader.update();
    assert.equal(update.kind, 'replace');
    const snapshot = reader.snapshot();
    assert.equal(snapshot.origin, 'trainer_state');
    assert.deepEqual([...snapshot.series.keys()].sort(), ['eval/loss', 'train/loss']);
    assert.equal((await reader.update()).kind, 'none');
  });

  it('agrees with trainer_state.json on the golden HF Trainer run', async function () {
    const golden = goldenDir();
    if (!golden) return this.skip();
    const runPath = join(golden, 'tfevents/hf_trainer_t5');
    const reader = new RunScalarsReader(runPath, openEventTail);
    await reader.update();
    const events = reader.snapshot();
    assert.equal(events.origin, 'events');
    const state = await readTrainerState(join(runPath, 'trainer_state.json'));
    for (const [key, tag] of [['loss', 'train/loss'], ['learning_rate', 'train/learning_rate'], ['grad_norm', 'train/grad_norm']] as const) {
      const expected = state.logHistory.filter((e) => typeof e[key] === 'number');
      const line = events.series.get(tag)!;
      assert.equal(line.step.length, expected.length, tag);
      expected.forEach((entry, i) => {
        assert.equal(line.step[i], entry.step);
        assert.equal(line.value[i], Math.fround(entry[key] as number), `${tag} at step ${String(entry.step)}`);
      });
    }
    assert.equal(events.texts.filter((t) => t.tag === 'args/text_summary').length, 1);
  });
});
