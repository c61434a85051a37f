import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bestEvalLoss, logHistorySeries, parseTrainerState, readTrainerState, tagForLogKey } from '../../../src/core/runs/trainerState';
import { goldenDir } from '../helpers/tempTree';

describe('trainer_state.json', () => {
  it('maps log keys to the tags HF TensorBoardCallback writes', () => {
    assert.equal(tagForLogKey('loss'), 'train/loss');
    assert.equal(tagForLogKey('eval_loss'), 'eval/loss');
    assert.equal(tagForLogKey('test_accuracy'), 'test/accuracy');
    assert.equal(tagForLogKey('train_runtime'), 'train/train_runtime');
  });

  it('builds series from log_history with NaN wall times', () => {
    const state = parseTrainerState(JSON.stringify({
      global_step: 20, max_steps: 20,
      log_history: [
        { loss: 2.5, learning_rate: 1e-4, epoch: 0.5, step: 10 },
        { eval_loss: 2.1, eval_runtime: 3, epoch: 0.5, step: 10 },
        { loss: 2.0, learning_rate: 5e-5, epoch: 1, step: 20 },
        { note: 'no step' },
      ],
    }));
    const series = logHistorySeries(state);
    assert.deepEqual(series.get('train/loss')!.step, [10, 20]);
    assert.deepEqual(series.get('train/loss')!.value, [2.5, 2.0]);
    assert.deepEqual(series.get('eval/loss')!.value, [2.1]);
    assert.deepEqual(series.get('train/epoch')!.step, [10, 10, 20]);
    assert.ok(Number.isNaN(series.get('train/loss')!.wall[0]));
    assert.equal(bestEvalLoss(state), 2.1);
  });

  it('names the file in a parse error', () => {
    assert.throws(() => parseTrainerState('{"global_step": ', '/x/trainer_state.json'), /\/x\/trainer_state\.json: not valid JSON/);
    assert.throws(() => parseTrainerState('[1,2]', 'ts.json'), /ts\.json: expected a JSON object/);
  });

  it('reads the golden HF Trainer states', async function () {
    const golden = goldenDir();
    if (!golden) return this.skip();
    const t5 = await readTrainerState(join(golden, 'tfevents/hf_trainer_t5/trainer_state.json'));
    assert.equal(t5.globalStep, 215337);
    assert.equal(t5.maxSteps, 215337);
    assert.equal(t5.trainingStopped, true);
    const series = logHistorySeries(t5);
    assert.equal(series.get('train/loss')!.step.length, 430);
    assert.equal(series.get('train/train_runtime')!.step.length, 1);

    const smol = await readTrainerState(join(golden, 'hf_trainer/smolvlm256m_lora/checkpoint-2700/trainer_state.json'));
    assert.equal(logHistorySeries(smol).get('train/loss')!.step.length, 2700);
    assert.equal(bestEvalLoss(smol), null);

    const grpo = await readTrainerState(join(golden, 'hf_trainer/qwen3_4b_grpo/checkpoint-1134/trainer_state.json'));
    const tags = [...logHistorySeries(grpo).keys()];
    assert.ok(tags.includes('train/reward'), `tags: ${tags.slice(0, 10).join(', ')}`);
    assert.ok(tags.some((tag) => tag.startsWith('train/rewards/')));
  });
});
