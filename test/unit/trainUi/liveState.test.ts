import assert from 'node:assert/strict';
import type { Alert } from '../../../src/core/training/alerts';
import type { WorkerEvent } from '../../../src/core/training/events';
import type { RunRecord } from '../../../src/core/training/runRecord';
import type { SupervisorNotice } from '../../../src/core/training/supervisorTypes';
import { alertView, endView, formatDuration, formatLoss, progressFraction, reduceNotice, statusBarText, type LiveRun } from '../../../src/ui/training/liveState';

const run = (fields: Partial<LiveRun> = {}): LiveRun => ({
  runDir: '/w/runs/pets', name: 'pets', status: 'running', attempt: 1, step: null, total: null, loss: null, itPerSec: null, etaSeconds: null,
  lastCheckpoint: null, finalDir: null, slurmJobId: null, stopping: false, error: null, alerted: [], pushTo: null, ...fields,
});
const event = (e: Partial<WorkerEvent> & { type: WorkerEvent['type'] }): SupervisorNotice => ({ kind: 'event', event: { time: 0, offset: 0, ...e } as WorkerEvent });
const status = (s: RunRecord['status'], fields: Partial<RunRecord> = {}): SupervisorNotice => ({
  kind: 'status', status: s, record: { status: s, attempt: 1, slurmJobId: null, error: null, stopRequestedAt: null, endedAt: null, ...fields } as RunRecord,
});

describe('live run view', () => {
  const durations: [number | null, string][] = [[null, '?'], [-1, '?'], [Number.NaN, '?'], [0, '0 s'], [42.4, '42 s'], [60, '1 min'], [179, '3 min'], [3600, '1 h 00 min'], [5430, '1 h 31 min']];
  for (const [seconds, text] of durations) it(`formats ${seconds} s as "${text}"`, () => assert.equal(formatDuration(seconds), text));

  const losses: [number | null, string][] = [[null, '–'], [0.87312, '0.8731'], [2, '2.000'], [123.456, '123.5'], [Number.NaN, 'NaN'], [Infinity, 'Infinity']];
  for (const [loss, text] of losses) it(`formats loss ${loss} as "${text}"`, () => assert.equal(formatLoss(loss), text));

  const bars: [string, Partial<LiveRun>, string][] = [
    ['starting', {}, '$(sync~spin) pets starting…'],
    ['in progress', { step: 120, total: 500, loss: 0.87312, itPerSec: 2.104, etaSeconds: 180.6 }, '$(sync~spin) pets 120/500 · loss 0.8731 · 2.10 it/s · ETA 3 min'],
    ['slow steps', { step: 3, total: null, loss: null, itPerSec: 0.25, etaSeconds: null }, '$(sync~spin) pets step 3 · 4.0 s/it'],
    ['no speed yet', { step: 1, total: 10, itPerSec: 0 }, '$(sync~spin) pets 1/10'],
    ['queued on SLURM', { status: 'queued', slurmJobId: '4711' }, '$(clock) pets queued (SLURM 4711)'],
    ['stopping', { step: 50, total: 100, stopping: true }, '$(loading~spin) pets stopping…'],
  ];
  for (const [name, fields, text] of bars) {
    it(`status bar: ${name}`, () => assert.equal(statusBarText(run(fields)).text, text));
  }

  it('the status bar tooltip names the folder, the step and the last checkpoint, and what a click does', () => {
    const { tooltip } = statusBarText(run({ step: 10, total: 20, loss: 1.5, lastCheckpoint: '/w/runs/pets/checkpoint-10' }));
    assert.match(tooltip, /\/w\/runs\/pets/);
    assert.match(tooltip, /step 10 of 20, loss 1\.500/);
    assert.match(tooltip, /last checkpoint: checkpoint-10/);
    assert.match(tooltip, /Click to open its Scalars/);
  });

  it('folds notices: progress, log, checkpoint, finished, a new attempt', () => {
    let r = run();
    r = reduceNotice(r, event({ type: 'progress', step: 5, total: 20, loss: 1.2, itPerSec: 3, etaSeconds: 5, epoch: 0.25 }));
    assert.deepEqual([r.step, r.total, r.loss, r.itPerSec, r.etaSeconds], [5, 20, 1.2, 3, 5]);
    assert.equal(progressFraction(r), 0.25);
    r = reduceNotice(r, event({ type: 'progress', step: 6, total: null, loss: null, itPerSec: 3, etaSeconds: 4, epoch: 0.3 }));
    assert.deepEqual([r.total, r.loss], [20, 1.2], 'a progress without total or loss keeps the last known ones');
    r = reduceNotice(r, event({ type: 'log', step: 6, epoch: 0.3, scalars: { loss: 1.1, learning_rate: 1e-4 } }));
    assert.equal(r.loss, 1.1);
    r = reduceNotice(r, event({ type: 'checkpoint', step: 5, path: '/w/runs/pets/checkpoint-5' }));
    assert.equal(r.lastCheckpoint, '/w/runs/pets/checkpoint-5');
    r = reduceNotice(r, { kind: 'alert', alert: { kind: 'nan-loss', step: 6, message: 'x' } });
    assert.deepEqual(r.alerted, ['nan-loss']);
    r = reduceNotice(r, status('running', { stopRequestedAt: '2025-01-01T00:00:00Z' }));
    assert.equal(r.stopping, true);
    r = reduceNotice(r, event({ type: 'finished', status: 'stopped', step: 6, metrics: {}, finalDir: null, checkpoint: '/w/runs/pets/checkpoint-6' }));
    assert.equal(r.lastCheckpoint, '/w/runs/pets/checkpoint-6');
    r = reduceNotice(r, status('stopped', { stopRequestedAt: '2025-01-01T00:00:00Z', endedAt: '2025-01-01T00:00:03Z' }));
    assert.deepEqual([r.status, r.stopping], ['stopped', false]);
    r = reduceNotice(r, status('running', { attempt: 2 }));
    assert.deepEqual([r.attempt, r.alerted], [2, []], 'a resumed attempt may alert again');
  });

  it('a loss the worker names as non-finite shows as NaN, not as the last finite one', () => {
    let r = reduceNotice(run(), event({ type: 'log', step: 4, epoch: 0.2, scalars: { loss: 1.1 }, nonfinite: null }));
    r = reduceNotice(r, event({ type: 'log', step: 5, epoch: 0.25, scalars: { loss: null }, nonfinite: ['loss'] }));
    assert.ok(Number.isNaN(r.loss) && r.step === 5, `loss ${r.loss}`);
    assert.match(statusBarText(r).text, /loss NaN/);
    r = reduceNotice(run({ loss: 0.9 }), event({ type: 'progress', step: 6, total: 10, loss: null, itPerSec: 1, etaSeconds: 4, epoch: 0.3, nonfinite: ['loss'] }));
    assert.ok(Number.isNaN(r.loss));
    r = reduceNotice(run({ loss: 0.9 }), event({ type: 'progress', step: 6, total: 10, loss: null, itPerSec: 1, etaSeconds: 4, epoch: 0.3, nonfinite: null }));
    assert.equal(r.loss, 0.9, 'a null loss without nonfinite is "none logged yet"');
  });

  it('alerts: a diverged loss offers Stop; out of memory lists what would fit and offers a retry with it', () => {
    const nan = alertView({ kind: 'nan-loss', step: 30, message: 'loss is not a finite number at step 30: training diverged.' }, run());
    assert.deepEqual([nan.severity, nan.actions], ['warning', ['stop', 'openScalars']]);
    assert.match(nan.message, /^pets: loss is not a finite number at step 30/);
    const estimate = { total: 1, parts: { weights: 0, lora: 0, optimizer: 0, gradients: 0, activations: 0, overhead: 0 }, params: { total: 0, trainable: 0, lora: 0, quantized: 0 }, tokens: 0, notes: [] };
    const oom: Alert = { kind: 'oom', message: 'out of GPU memory: CUDA out of memory', suggestions: [
      { changes: { per_device_batch: 2, grad_accum: 8 }, description: ['per_device_batch 4 → 2 with grad_accum 4 → 8 (same effective batch)'], estimate },
      { changes: { method: 'qlora' }, description: ['method qlora: 4-bit NF4 base and paged AdamW (needs bitsandbytes)'], estimate },
    ] };
    const view = alertView(oom, run());
    assert.equal(view.severity, 'error');
    assert.match(view.message, /Settings that would fit: \(1\) per_device_batch 4 → 2 .*\(2\) method qlora/);
    assert.deepEqual(view.actions, ['refit', 'openLog']);
    assert.deepEqual(view.changes, { per_device_batch: 2, grad_accum: 8 });
    const nothing = alertView({ ...oom, suggestions: [] }, run());
    assert.match(nothing.message, /No setting tried would fit/);
    assert.deepEqual(nothing.actions, ['openLog']);
    const done = alertView({ kind: 'completed', step: 20, message: 'training completed at step 20: /w/runs/pets/final' }, run());
    assert.deepEqual([done.severity, done.actions], ['info', ['pushToHub', 'chatWithAdapter', 'openScalars']]);
    const pushing = alertView({ kind: 'completed', step: 20, message: 'training completed at step 20: /w/runs/pets/final' }, run({ pushTo: 'me/pets-lora' }));
    assert.match(pushing.message, /pushing to me\/pets-lora$/);
    assert.deepEqual(pushing.actions, ['chatWithAdapter', 'openScalars'], 'no second push while the run pushes itself');
  });

  it('ends: stopped names the checkpoint; crashed quotes the last log line; an OOM failure is not said twice', () => {
    const stopped = endView(run({ status: 'stopped', step: 12, lastCheckpoint: '/w/runs/pets/checkpoint-12' }))!;
    assert.equal(stopped.message, 'pets: stopped at step 12; checkpoint-12 saved.');
    assert.deepEqual(stopped.actions, ['resume', 'openLog']);
    const forced = endView(run({ status: 'stopped', error: { message: 'stopped by force after the grace period: no checkpoint was written at the stop', logTail: [] } }))!;
    assert.match(forced.message, /stopped \(stopped by force/);
    const crashed = endView(run({ status: 'crashed', error: { message: 'the worker exited with code 1 without reporting an end; see train.log', logTail: ['step 2', 'Segmentation fault (core dumped)', ''] } }))!;
    assert.equal(crashed.severity, 'error');
    assert.match(crashed.message, /crashed: the worker exited with code 1 .* — last log line: Segmentation fault \(core dumped\)/);
    assert.equal(endView(run({ status: 'failed', alerted: ['oom'], error: { message: 'OutOfMemoryError', logTail: [] } })), null);
    assert.equal(endView(run({ status: 'finished' })), null, 'completion comes as an alert');
    assert.equal(endView(run({ status: 'running' })), null);
  });
});
