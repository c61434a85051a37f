import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../../../src/core/training/processInfo';
import { readRunRecord, writeRunRecord } from '../../../src/core/training/runRecord';
import { Supervisor } from '../../../src/core/training/supervisor';
import type { RunRecord } from '../../../src/core/training/runRecord';
import { chatCheckpointOf, offeredActions } from '../../../src/ui/training/chatTarget';
import type { AlertView, LiveRun } from '../../../src/ui/training/liveState';
import { statusBarText } from '../../../src/ui/training/liveState';
import { TrainingRuns } from '../../../src/ui/training/trainingRuns';
import { fakeRunRequest } from '../../fixtures/fake-worker/request';
import { waitFor } from '../training/helpers';
import { tempDir } from './helpers';

describe('supervised runs in the UI (real supervisor, the fake worker)', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  const supervisors: Supervisor[] = [];
  beforeEach(() => { tmp = tempDir(); });
  afterEach(() => {
    for (const s of supervisors.splice(0)) {
      const pid = s.current?.pid;
      if (pid && isAlive(pid)) process.kill(-pid, 'SIGKILL');
    }
    tmp.remove();
  });

  function setup(env: Record<string, string> = {}) {
    const changes: { run: LiveRun; ended: boolean }[] = [];
    const alerts: { run: LiveRun; view: AlertView }[] = [];
    const pokes: string[] = [];
    const finished: { run: LiveRun; record: RunRecord }[] = [];
    let refreshes = 0;
    const runs = new TrainingRuns({
      createSupervisor: (runDir) => {
        const s = new Supervisor(runDir, { pollMs: 50, env: { ...process.env, FAKE_WORKER_STEP_MS: '40', ...env } });
        supervisors.push(s);
        return s;
      },
      graceMs: () => 10_000,
      onChange: (run, ended) => changes.push({ run, ended }),
      onAlert: (run, view) => alerts.push({ run, view }),
      onFinished: (run, record) => finished.push({ run, record }),
      pokeRun: (runDir) => pokes.push(runDir),
      refreshRuns: () => { refreshes++; },
      log: () => undefined,
      pokeIntervalMs: 100,
    });
    return { runs, changes, alerts, pokes, finished, refreshes: () => refreshes };
  }

  it('follows a launch to completion: live views, throttled pokes, one completion alert with Push and Chat', async () => {
    const t = setup();
    const dir = join(tmp.dir, 'complete');
    await t.runs.launch(fakeRunRequest(dir, { max_steps: 12 }));
    assert.equal(t.refreshes(), 1, 'the new run folder is announced');
    await waitFor(() => t.changes.some((c) => c.ended), 'end');
    const steps = t.changes.map((c) => c.run.step).filter((s): s is number => s !== null);
    assert.ok(steps.includes(12) && steps.length >= 6, `steps ${steps}`);
    assert.ok(t.changes.some((c) => /complete 5\/12 · loss 0\.4000 · 25\.00 it\/s · ETA 0 s/.test(statusBarText(c.run).text)), 'a status-bar text mid-run');
    const pokes = t.pokes.length;
    assert.ok(pokes >= 3 && pokes < t.changes.length, `pokes ${pokes} for ${t.changes.length} changes: throttled, not none`);
    assert.deepEqual(t.alerts.map((a) => [a.view.severity, a.view.actions]), [['info', ['pushToHub', 'chatWithAdapter', 'openScalars']]]);
    assert.equal(t.alerts[0]!.run.finalDir, join(dir, 'final'));
    assert.equal(t.runs.get(dir)!.status, 'finished');
    assert.equal(t.runs.isLive(dir), false);
    assert.deepEqual(t.finished.map((f) => f.run.runDir), [dir], 'one finished hook: where a run that asks for it gets pushed');
    t.runs.dispose();
  });

  it('a projector-only run finishes with a Chat action that loads projector.safetensors on the run\'s base model', async () => {
    const t = setup();
    const dir = join(tmp.dir, 'projector');
    await t.runs.launch(fakeRunRequest(dir, { method: 'projector', max_steps: 4, push: { repo_id: 'me/proj', private: true } }));
    await waitFor(() => t.finished.length === 1, 'the finished hook');
    const { run, record } = t.finished[0]!;
    assert.deepEqual(record.config.push, { repo_id: 'me/proj', private: true }, 'the hook sees what to push to');
    const done = t.alerts.find((a) => a.view.actions.includes('chatWithAdapter'))!;
    assert.deepEqual(offeredActions(done.view, done.run, existsSync), ['chatWithAdapter', 'openScalars'], 'it pushes itself: no second Push offered');
    assert.match(done.view.message, /pushing to me\/proj$/);
    const target = chatCheckpointOf(run, existsSync, record.config.model)!;
    assert.deepEqual([target.checkpoint.hasAdapter, target.checkpoint.hasProjector, target.checkpoint.baseModel], [false, true, '/models/tiny-llava']);
    t.runs.dispose();
  });

  it('stops with a checkpoint (SIGTERM to the worker), then resumes in the same folder', async () => {
    const t = setup();
    const dir = join(tmp.dir, 'stop');
    await t.runs.launch(fakeRunRequest(dir, { max_steps: 2000 }));
    await waitFor(() => (t.runs.get(dir)?.step ?? 0) >= 6, 'a few steps');
    const stopping = t.runs.stop(dir);
    await waitFor(() => t.changes.some((c) => c.run.stopping), 'stopping shown');
    assert.equal(await stopping, 'stopped');
    const stopped = t.alerts.find((a) => a.run.status === 'stopped');
    assert.ok(stopped, 'a stop notice');
    assert.match(stopped.view.message, /^stop: stopped at step \d+; checkpoint-\d+ saved\.$/);
    assert.deepEqual(stopped.view.actions, ['resume', 'openLog']);
    const at = (await readRunRecord(join(dir, 'run.json'))).status;
    assert.equal(at, 'stopped');
    const step = t.runs.get(dir)!.step!;
    const resumed = await t.runs.resume(dir, 'latest');
    assert.equal(resumed.attempt, 2);
    await waitFor(() => (t.runs.get(dir)?.step ?? 0) > step, 'steps after the resume');
    assert.equal(await t.runs.stop(dir), 'stopped');
    t.runs.dispose();
  });

  /** Launches the fake worker from another process that then exits, as a window that reloads. */
  const launchElsewhere = (dir: string): Promise<void> => new Promise<void>((resolve, reject) => {
    const launcher = join(__dirname, '../../fixtures/fake-worker/launch.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', launcher, dir, '2000'], { env: { ...process.env, FAKE_WORKER_STEP_MS: '40' }, stdio: 'ignore' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`launcher exited ${code}`))));
  });

  it('reattaches after a reload to a run another process launched, and stops it', async () => {
    const dir = join(tmp.dir, 'reattach');
    await launchElsewhere(dir);
    const t = setup();
    const found = await t.runs.reattach(dir);
    assert.equal(found?.result, 'following');
    await waitFor(() => (t.runs.get(dir)?.step ?? 0) > 2, 'events after the reattach');
    assert.equal(await t.runs.stop(dir), 'stopped');
    const pid = (await readRunRecord(join(dir, 'run.json'))).pid!;
    await waitFor(() => !isAlive(pid), 'the worker is gone');
    assert.equal(await t.runs.reattach(dir), null, 'an ended run is not followed again');
    t.runs.dispose();
  });

  it('marks a run whose worker died while VS Code was away as crashed, quoting the log', async () => {
    const dir = join(tmp.dir, 'dead');
    await launchElsewhere(dir);
    const record = await readRunRecord(join(dir, 'run.json'));
    process.kill(-record.pid!, 'SIGKILL');
    await waitFor(() => !isAlive(record.pid!), 'worker killed');
    writeFileSync(join(dir, 'train.log'), `${'x\n'.repeat(3)}RuntimeError: CUDA error: an illegal memory access was encountered\n`, { flag: 'a' });
    const t2 = setup();
    const found = await t2.runs.reattach(dir);
    assert.equal((await readRunRecord(join(dir, 'run.json'))).status, 'crashed');
    assert.equal(found?.result, 'ended');
    assert.equal(found?.run.status, 'crashed');
    assert.equal(t2.alerts.length, 1);
    assert.match(t2.alerts[0]!.view.message, /crashed: the worker exited without reporting an end; see train\.log — last log line: RuntimeError: CUDA error/);
    assert.equal((await readRunRecord(join(dir, 'run.json'))).status, 'crashed');
    assert.ok(t2.pokes.length >= 1 && t2.pokes.every((p) => p === dir), 'the Runs view hears about it');
    t2.runs.dispose();
  });

  it('an out-of-memory failure alerts once, with the log action, not twice', async () => {
    const t = setup({ FAKE_WORKER_MODE: 'oom' });
    const dir = join(tmp.dir, 'oom');
    await t.runs.launch(fakeRunRequest(dir, { max_steps: 20 }));
    await waitFor(() => t.changes.some((c) => c.ended), 'end');
    await waitFor(() => t.alerts.length > 0, 'alert');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(t.runs.get(dir)!.status, 'failed');
    assert.deepEqual(t.alerts.map((a) => a.view.severity), ['error']);
    assert.match(t.alerts[0]!.view.message, /^oom: out of GPU memory: OutOfMemoryError: CUDA out of memory/);
    t.runs.dispose();
  });

  it('ignores folders that are not LLaVA Studio runs, and runs that already ended', async () => {
    const t = setup();
    assert.equal(await t.runs.reattach(join(tmp.dir, 'nothing')), null);
    const dir = join(tmp.dir, 'ended');
    const request = fakeRunRequest(dir);
    const { newRunRecord } = await import('../../../src/core/training/runRecord');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    await writeRunRecord(join(dir, 'run.json'), { ...newRunRecord({ name: 'ended', config: request.config, plan: request.plan, host: 'h', now: new Date(), gpus: [] }), status: 'finished' });
    assert.equal(await t.runs.reattach(dir), null);
  });
});
