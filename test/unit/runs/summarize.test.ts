import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bestCheckpointStep, readCheckpoints } from '../../../src/core/runs/checkpoints';
import { discoverRunFolders } from '../../../src/core/runs/discover';
import { LIVE_WINDOW_MS, runStatus, summarizeRun } from '../../../src/core/runs/summarize';
import { parseTrainerState } from '../../../src/core/runs/trainerState';
import { parseRunJson } from '../../../src/core/runs/runJson';
import type { RunScalars } from '../../../src/core/runs/types';
import { makeTree } from '../helpers/tempTree';

const state = (extra: object) => parseTrainerState(JSON.stringify({ log_history: [], ...extra }));

describe('checkpoints', () => {
  const tree = makeTree({
    'run/checkpoint-10/adapter_config.json': '{}',
    'run/checkpoint-10/adapter_model.safetensors': 'x'.repeat(1000),
    'run/checkpoint-20/adapter_config.json': '{}',
    'run/checkpoint-20/optimizer.pt': 'y'.repeat(500),
    'run/checkpoint-20/nested/extra.bin': 'z'.repeat(24),
    'run/checkpoint-30/model.safetensors': 'w',
  });
  after(() => tree.remove());

  it('reads size, adapter presence and step, sorted by step', async () => {
    const checkpoints = await readCheckpoints(join(tree.root, 'run'), ['checkpoint-30', 'checkpoint-10', 'checkpoint-20'], null);
    assert.deepEqual(checkpoints.map((c) => [c.step, c.hasAdapter, c.sizeBytes, c.isBest]), [
      [10, true, 1002, false],
      [20, false, 526, false],
      [30, false, 1, false],
    ]);
  });

  it('takes best_model_checkpoint by folder name even from another machine', () => {
    const best = bestCheckpointStep([{ step: 10 }, { step: 20 }], state({ best_model_checkpoint: 'C:\\\\runs\\\\x/checkpoint-20/' }));
    assert.equal(best, 20);
  });

  it('falls back to the checkpoint with the lowest eval loss, else none', () => {
    const history = state({ log_history: [{ step: 10, eval_loss: 1.5 }, { step: 20, eval_loss: 1.2 }, { step: 25, eval_loss: 0.9 }] });
    assert.equal(bestCheckpointStep([{ step: 10 }, { step: 20 }], history), 20);
    assert.equal(bestCheckpointStep([{ step: 10 }], state({})), null);
    assert.equal(bestCheckpointStep([{ step: 10 }], null), null);
  });
});

describe('run status', () => {
  const now = 1_800_000_000_000;
  const base = { runJson: null, finishedMarkers: false, state: null, updatedAt: null, now };
  const cases: [string, Parameters<typeof runStatus>[0], string][] = [
    ['run.json wins', { ...base, runJson: parseRunJson('{"status":"crashed"}'), finishedMarkers: true }, 'crashed'],
    ['run.json running is live', { ...base, runJson: parseRunJson('{"status":"running"}') }, 'live'],
    ['all_results.json means finished', { ...base, finishedMarkers: true, updatedAt: now }, 'finished'],
    ['global_step reached max_steps', { ...base, state: state({ global_step: 50, max_steps: 50 }), updatedAt: now }, 'finished'],
    ['should_training_stop', { ...base, state: state({ stateful_callbacks: { TrainerControl: { args: { should_training_stop: true } } } }) }, 'finished'],
    ['recent write is live', { ...base, updatedAt: now - LIVE_WINDOW_MS + 1000 }, 'live'],
    ['old write is idle', { ...base, updatedAt: now - LIVE_WINDOW_MS - 1000 }, 'unknown'],
    ['nothing known', base, 'unknown'],
    ['run.json live but its worker is gone is crashed', { ...base, runJson: parseRunJson('{"status":"running"}'), workerGone: true }, 'crashed'],
    ['an unknown status name is unknown, not an inherited property', { ...base, runJson: parseRunJson('{"status":"constructor"}') }, 'unknown'],
  ];
  for (const [name, input, expected] of cases) it(name, () => assert.equal(runStatus(input), expected));

  it('reads run.json start times in seconds, milliseconds or ISO', () => {
    assert.equal(parseRunJson('{"startTime": 1700000000}').startedAt, 1_700_000_000_000);
    assert.equal(parseRunJson('{"startedAt": 1700000000123}').startedAt, 1_700_000_000_123);
    assert.equal(parseRunJson('{"startTime": "2026-01-02T03:04:05Z"}').startedAt, Date.parse('2026-01-02T03:04:05Z'));
    assert.throws(() => parseRunJson('{', '/r/run.json'), /\/r\/run\.json: not valid JSON/);
  });
});

describe('summarizeRun', () => {
  it("lists PyTorch Lightning's checkpoints/*.ckpt as the run's checkpoints", async () => {
    const lightning = makeTree({
      'lightning_logs/version_0/events.out.tfevents.1700000000.h.1.0': '',
      'lightning_logs/version_0/hparams.yaml': 'lr: 0.001\n',
      'lightning_logs/version_0/checkpoints/epoch=1-step=200.ckpt': 'x'.repeat(10),
      'lightning_logs/version_0/checkpoints/last.ckpt': 'y'.repeat(4),
    });
    try {
      const [folder] = await discoverRunFolders([lightning.root]);
      assert.equal(folder!.name, 'lightning_logs/version_0');
      const summary = await summarizeRun(folder!, null);
      assert.deepEqual(summary.checkpoints.map((c) => [c.label, c.step, c.sizeBytes]), [['last.ckpt', -1, 4], ['epoch=1-step=200.ckpt', 200, 10]]);
      assert.equal(summary.lastStep, 200);
    } finally {
      lightning.remove();
    }
  });

  it('all_results.json older than the newest event (a resumed run) does not mean finished', async () => {
    const stale = makeTree({ 'r/all_results.json': '{}', 'r/runs/Nov14_22-13-20_h/events.out.tfevents.1700000000.h.1.0': '' });
    try {
      const { utimesSync } = await import('node:fs');
      utimesSync(join(stale.root, 'r/all_results.json'), 1_700_000_000, 1_700_000_000);
      const [folder] = await discoverRunFolders([stale.root]);
      const scalars: RunScalars = { run: folder!.path, series: new Map([['train/loss', { step: [1, 2], wall: [1_700_000_000, 1_700_009_000], value: [1, 0.9] }]]), texts: [], damage: [], origin: 'events' };
      assert.equal((await summarizeRun(folder!, scalars, 1_800_000_000_000)).status, 'unknown');
      utimesSync(join(stale.root, 'r/all_results.json'), 1_700_009_010, 1_700_009_010);
      assert.equal((await summarizeRun(folder!, scalars, 1_800_000_000_000)).status, 'finished');
    } finally {
      stale.remove();
    }
  });

  it('a run.json of ours whose worker pid is dead on this host shows crashed', async () => {
    const { hostname } = await import('node:os');
    const dead = makeTree({ 'r/run.json': JSON.stringify({ version: 1, status: 'running', config: {}, plan: {}, pid: 2 ** 22 + 12345, pidStartTime: '1', host: hostname() }) });
    try {
      const [folder] = await discoverRunFolders([dead.root]);
      const summary = await summarizeRun(folder!, null);
      assert.equal(summary.source, 'llava-studio');
      assert.equal(summary.status, 'crashed');
    } finally {
      dead.remove();
    }
  });

  const tree = makeTree({
    'lora/trainer_state.json': JSON.stringify({
      global_step: 30, max_steps: 100, best_model_checkpoint: '/elsewhere/lora/checkpoint-20',
      log_history: [{ step: 10, loss: 2 }, { step: 20, eval_loss: 1.4 }, { step: 30, eval_loss: 1.6 }],
    }),
    'lora/checkpoint-20/adapter_config.json': '{}',
    'lora/checkpoint-20/adapter_model.safetensors': 'abc',
    'lora/checkpoint-30/adapter_config.json': '{}',
    'lora/checkpoint-30/adapter_model.bin': 'abcd',
    'lora/runs/x/events.out.tfevents.1700000000.h.1.0': '',
  });
  after(() => tree.remove());

  it('combines trainer_state, checkpoints and scalars', async () => {
    const [folder] = await discoverRunFolders([tree.root]);
    const scalars: RunScalars = {
      run: folder!.path,
      series: new Map([
        ['train/loss', { step: [10, 40], wall: [1_700_000_010, 1_700_000_040], value: [2, 1.8] }],
        ['eval/loss', { step: [20, 30], wall: [1_700_000_020, 1_700_000_030], value: [1.4, 1.6] }],
      ]),
      texts: [], damage: [], origin: 'events',
    };
    const summary = await summarizeRun(folder!, scalars, 1_700_000_100_000);
    assert.equal(summary.name, 'lora');
    assert.equal(summary.source, 'hf-trainer');
    assert.equal(summary.lastStep, 40);
    assert.equal(summary.bestEvalLoss, 1.4);
    assert.equal(summary.startedAt, 1_700_000_000_000);
    assert.equal(summary.updatedAt, 1_700_000_040_000);
    assert.equal(summary.status, 'live');
    assert.deepEqual(summary.tags, ['eval/loss', 'train/loss']);
    assert.deepEqual(summary.checkpoints.map((c) => [c.step, c.hasAdapter, c.isBest]), [[20, true, true], [30, true, false]]);
  });
});
