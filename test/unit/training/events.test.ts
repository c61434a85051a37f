import assert from 'node:assert/strict';
import { appendFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertFor } from '../../../src/core/training/alerts';
import { parseEventLine, type WorkerEvent } from '../../../src/core/training/events';
import { EventsTail } from '../../../src/core/training/eventsTail';
import { decideOutcome } from '../../../src/core/training/runOutcome';
import { makeTree } from '../helpers/tempTree';

// Lines as native-bin/llava_studio_worker/events.py writes them.
const LINES = {
  started: '{"type": "started", "time": 1730000000.5, "v": 1, "run_dir": "/r", "name": "r", "pid": 42, "host": "gpu1", "method": "lora", "model": "llava-hf/llava-1.5-7b-hf", "resume_from": null, "config": {}}',
  progress: '{"type": "progress", "time": 1730000001.0, "v": 1, "step": 10, "total": 500, "loss": 1.25, "it_s": 2.5, "eta_s": 196.0, "epoch": 0.02}',
  log: '{"type": "log", "time": 1730000001.0, "v": 1, "step": 10, "epoch": 0.02, "scalars": {"loss": 1.25, "grad_norm": 0.8, "learning_rate": 0.0002}}',
  nanLog: '{"type": "log", "time": 1730000002.0, "v": 1, "step": 20, "epoch": 0.04, "scalars": {"loss": null, "grad_norm": null}, "nonfinite": ["loss", "grad_norm"]}',
  nanProgress: '{"type": "progress", "time": 1730000002.5, "v": 1, "step": 21, "total": 500, "loss": null, "it_s": 2.5, "eta_s": 190.0, "epoch": 0.04, "nonfinite": ["loss"]}',
  // Workers before `nonfinite` wrote NaN/inf as a lone null.
  legacyNanLog: '{"type": "log", "time": 1730000002.0, "v": 1, "step": 20, "epoch": 0.04, "scalars": {"loss": null, "grad_norm": null}}',
  checkpoint: '{"type": "checkpoint", "time": 1730000003.0, "v": 1, "step": 200, "path": "/r/checkpoint-200"}',
  warning: '{"type": "warning", "time": 1730000003.0, "v": 1, "message": "3 rows over max_length were dropped", "hint": "raise max_length", "count": 3}',
  error: '{"type": "error", "time": 1730000004.0, "v": 1, "message": "OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB", "hint": "lower per_device_batch", "traceback": "Traceback…"}',
  finished: '{"type": "finished", "time": 1730000005.0, "v": 1, "status": "stopped", "step": 211, "metrics": {}, "final_dir": null, "checkpoint": "/r/checkpoint-211"}',
};

describe('worker events', () => {
  const table: { line: string; expect: Partial<WorkerEvent> }[] = [
    { line: LINES.started, expect: { type: 'started', pid: 42, host: 'gpu1', resumeFrom: null, time: 1730000000.5 } },
    { line: LINES.progress, expect: { type: 'progress', step: 10, total: 500, loss: 1.25, itPerSec: 2.5, etaSeconds: 196, epoch: 0.02 } },
    { line: LINES.log, expect: { type: 'log', step: 10, scalars: { loss: 1.25, grad_norm: 0.8, learning_rate: 0.0002 }, nonfinite: null } },
    { line: LINES.nanLog, expect: { type: 'log', step: 20, scalars: { loss: null, grad_norm: null }, nonfinite: ['loss', 'grad_norm'] } },
    { line: LINES.nanProgress, expect: { type: 'progress', step: 21, loss: null, nonfinite: ['loss'] } },
    { line: LINES.checkpoint, expect: { type: 'checkpoint', step: 200, path: '/r/checkpoint-200' } },
    { line: LINES.warning, expect: { type: 'warning', message: '3 rows over max_length were dropped', hint: 'raise max_length' } },
    { line: LINES.finished, expect: { type: 'finished', status: 'stopped', step: 211, checkpoint: '/r/checkpoint-211', finalDir: null } },
    { line: '{"type":"log","time":1,"v":1,"step":3,"scalars":{"loss":NaN,"x":-Infinity,"note":"NaN stays text"}}', expect: { type: 'log', scalars: { loss: Number.NaN, x: -Infinity } } },
  ];
  for (const { line, expect } of table) {
    it(`parses ${JSON.parse(line.replace(/NaN|-?Infinity/g, '0')).type}${line.includes('NaN') ? ' with bare NaN' : ''}${line.includes('nonfinite') ? ' naming non-finite values' : ''}`, () => {
      const event = parseEventLine(line, 7) as unknown as Record<string, unknown>;
      assert.equal(event.offset, 7);
      for (const [key, value] of Object.entries(expect)) assert.deepEqual(event[key], value, key);
    });
  }

  it('rejects what is not an event, saying why', () => {
    assert.throws(() => parseEventLine('{"type":"telemetry","time":1}'), /unknown event type "telemetry"/);
    assert.throws(() => parseEventLine('[1,2]'), /not a JSON object/);
    assert.throws(() => parseEventLine('{"type":"progress","time":1}'), /without a numeric step/);
  });

  it('alerts: a non-finite loss once, OOM, completion', () => {
    const seen = { nan: false };
    assert.equal(alertFor(parseEventLine(LINES.log), seen), null);
    assert.equal(alertFor(parseEventLine(LINES.nanLog), seen)?.kind, 'nan-loss');
    assert.equal(alertFor(parseEventLine(LINES.nanLog), seen), null, 'once per attempt');
    assert.equal(alertFor(parseEventLine(LINES.error), seen)?.kind, 'oom');
    assert.equal(alertFor(parseEventLine(LINES.finished), seen), null, 'a stop is not a completion');
    assert.equal(alertFor(parseEventLine(LINES.finished.replace('"stopped"', '"finished"')), seen)?.kind, 'completed');
  });

  const nanTable: [string, string, boolean][] = [
    ['a log naming loss in nonfinite', LINES.nanLog, true],
    ['a progress naming loss in nonfinite', LINES.nanProgress, true],
    ['an older worker\'s log with a lone null loss', LINES.legacyNanLog, true],
    ['a bare NaN loss', '{"type":"log","time":1,"v":1,"step":3,"scalars":{"loss":NaN}}', true],
    ['a progress before the first log (null loss means none yet)', LINES.progress.replace('"loss": 1.25', '"loss": null'), false],
    ['a new worker\'s null loss it does not call non-finite', LINES.nanLog.replace('["loss", "grad_norm"]', '["grad_norm"]'), false],
    ['only grad_norm non-finite', LINES.log.replace('"grad_norm": 0.8}', '"grad_norm": null}, "nonfinite": ["grad_norm"]'), false],
  ];
  for (const [name, line, alerts] of nanTable) {
    it(`NaN-loss alert: ${name} → ${alerts ? 'alert' : 'none'}`, () => {
      const alert = alertFor(parseEventLine(line), { nan: false });
      assert.equal(alert?.kind ?? null, alerts ? 'nan-loss' : null);
    });
  }

  it('outcome: the worker\'s word, then our stop, then its error, else a crash', () => {
    const finished = parseEventLine(LINES.finished) as Extract<WorkerEvent, { type: 'finished' }>;
    const error = parseEventLine(LINES.error) as Extract<WorkerEvent, { type: 'error' }>;
    assert.deepEqual(decideOutcome({ finished, errors: [], stopRequested: true, forced: false, exit: null }), { status: 'stopped', message: null });
    assert.deepEqual(decideOutcome({ finished: null, errors: [error], stopRequested: true, forced: true, exit: null }),
      { status: 'stopped', message: 'stopped by force after the grace period: no checkpoint was written at the stop' });
    // A stop that went wrong (the worker reported an error and nobody killed it) is a failure, not a stop.
    assert.equal(decideOutcome({ finished: null, errors: [error], stopRequested: true, forced: false, exit: null }).status, 'failed');
    assert.match(decideOutcome({ finished: null, errors: [], stopRequested: true, forced: false, exit: { code: 0, signal: null } }).message!, /without confirming the stop/);
    assert.deepEqual(decideOutcome({ finished: null, errors: [error], stopRequested: false, forced: false, exit: { code: 1, signal: null } }),
      { status: 'failed', message: 'OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (lower per_device_batch)' });
    assert.match(decideOutcome({ finished: null, errors: [], stopRequested: false, forced: false, exit: { code: null, signal: 'SIGKILL' } }).message!, /killed by SIGKILL/);
  });
});

describe('events.jsonl tail', () => {
  const tree = makeTree({ 'run/': '' });
  const file = join(tree.root, 'run/events.jsonl');
  after(() => tree.remove());

  it('reads only appended bytes, keeps a half-written line for later, reports bad lines by byte offset, restarts on truncation', async () => {
    const tail = new EventsTail(file);
    assert.deepEqual((await tail.read()).events, [], 'no file yet reads as empty');
    writeFileSync(file, `${LINES.started}\n${LINES.progress.slice(0, 30)}`);
    let read = await tail.read();
    assert.deepEqual(read.events.map((e) => e.type), ['started']);
    assert.equal(tail.position, LINES.started.length + 1);
    appendFileSync(file, `${LINES.progress.slice(30)}\nnot json\n${LINES.checkpoint}\n`);
    read = await tail.read();
    assert.deepEqual(read.events.map((e) => [e.type, e.offset]), [['progress', LINES.started.length + 1], ['checkpoint', LINES.started.length + LINES.progress.length + 2 + 9]]);
    assert.equal(read.bad.length, 1);
    assert.equal(read.bad[0]!.offset, LINES.started.length + LINES.progress.length + 2);
    assert.equal((await tail.read()).events.length, 0, 'nothing new');
    truncateSync(file, 0);
    appendFileSync(file, `${LINES.finished}\n`);
    read = await tail.read();
    assert.equal(read.restarted, true);
    assert.deepEqual(read.events.map((e) => e.type), ['finished']);
  });

  it('starts at a given offset (a resumed attempt skips the earlier attempt\'s events)', async () => {
    writeFileSync(file, `${LINES.finished}\n${LINES.started}\n`);
    const read = await new EventsTail(file, LINES.finished.length + 1).read();
    assert.deepEqual(read.events.map((e) => e.type), ['started']);
  });
});
