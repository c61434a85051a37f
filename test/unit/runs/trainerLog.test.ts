import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openEventTail } from '../../../src/core/runs/eventTail';
import { RunScalarsReader } from '../../../src/core/runs/scalarsReader';
import { trainerLogSeries } from '../../../src/core/runs/trainerLog';
import { makeTree } from '../helpers/tempTree';

const LOG = [
  '{"current_steps": 10, "total_steps": 30, "loss": 1.9, "lr": 0.0002, "epoch": 0.33, "percentage": 33.3, "elapsed_time": "0:00:10", "remaining_time": "0:00:20"}',
  '{"current_steps": 20, "total_steps": 30, "loss": 1.4, "lr": 0.0001, "epoch": 0.67, "percentage": 66.7, "elapsed_time": "0:00:20", "remaining_time": "0:00:10"}',
  '{"current_steps": 20, "total_steps": 30, "eval_loss": 1.5, "epoch": 0.67, "percentage": 66.7, "elapsed_time": "0:00:22", "remaining_time": "0:00:10"}',
  '{"current_steps": 30, "total_ste',
].join('\n');

describe("LLaMA-Factory's trainer_log.jsonl", () => {
  it('becomes series named like HF TensorBoard tags; a half-written last line is skipped', () => {
    const { series, totalSteps } = trainerLogSeries(LOG);
    assert.equal(totalSteps, 30);
    assert.deepEqual([...series.keys()].sort(), ['eval/loss', 'train/epoch', 'train/learning_rate', 'train/loss']);
    assert.deepEqual(series.get('train/loss')!.step, [10, 20]);
    assert.deepEqual(series.get('train/learning_rate')!.value, [0.0002, 0.0001]);
    assert.deepEqual(series.get('eval/loss')!.value, [1.5]);
  });

  it('is the scalar source of a run without event files, and re-read when it grows', async () => {
    const tree = makeTree({ 'sft/trainer_log.jsonl': LOG.split('\n').slice(0, 2).join('\n') + '\n' });
    try {
      const reader = new RunScalarsReader(join(tree.root, 'sft'), openEventTail);
      assert.equal((await reader.update()).kind, 'replace');
      assert.deepEqual(reader.snapshot().series.get('train/loss')!.step, [10, 20]);
      await new Promise((r) => setTimeout(r, 20));
      writeFileSync(join(tree.root, 'sft/trainer_log.jsonl'), LOG.split('\n').slice(0, 3).join('\n') + '\n');
      assert.equal((await reader.update()).kind, 'replace');
      assert.deepEqual(reader.snapshot().series.get('eval/loss')!.step, [20]);
    } finally {
      tree.remove();
    }
  });
});
