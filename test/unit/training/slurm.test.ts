import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { completeConfig } from '../../../src/core/training/config';
import { writeRunRecord, type RunRecord } from '../../../src/core/training/runRecord';
import { execCommand, SlurmClient, slurmPlan, SLURM_DONE, type SlurmOptions } from '../../../src/core/training/slurm';
import { Supervisor } from '../../../src/core/training/supervisor';
import { FAKE_WORKER } from '../../fixtures/fake-worker/request';
import { makeTree } from '../helpers/tempTree';
import { eventsOf, record, statuses, waitFor } from './helpers';
import { slurmUnavailable, startSlurmCluster, type SlurmCluster } from './slurmCluster';

const NATIVE_BIN = resolve(__dirname, '../../../native-bin');

describe('SLURM launch plans against a real single-node cluster', function () {
  this.timeout(120_000);
  let cluster: SlurmCluster | null = null;
  let skip = slurmUnavailable();
  const tree = makeTree({ 'runs/': '' });
  const supervisors: Supervisor[] = [];

  before(async function () {
    if (skip) return;
    this.timeout(60_000);
    try {
      cluster = await startSlurmCluster();
    } catch (error) {
      skip = (error as Error).message;
    }
  });
  beforeEach(function () {
    if (skip) {
      this.currentTest!.title += ` (skipped: ${skip})`;
      this.skip();
    }
  });
  after(async () => {
    for (const s of supervisors) s.dispose();
    await cluster?.stop();
    tree.remove();
  });

  const client = (): SlurmClient => new SlurmClient(execCommand, cluster!.env);
  const fakeRun = (name: string, slurm: Partial<SlurmOptions> = {}, maxSteps = 100000): { supervisor: Supervisor; launch: () => Promise<RunRecord> } => {
    const runDir = join(tree.root, 'runs', name);
    const config = completeConfig({ model: '/models/m', dataset: { path: '/data/d.json' }, output_dir: runDir, method: 'lora', max_steps: maxSteps, save_steps: 5, logging_steps: 1 });
    const plan = slurmPlan({ python: '/usr/bin/python3', nativeBin: NATIVE_BIN, runDir, workerCommand: [process.execPath, FAKE_WORKER] }, { nodes: 1, gpusPerNode: 0, jobName: name, ...slurm });
    const supervisor = new Supervisor(runDir, { pollMs: 200, slurmPollMs: 200, slurm: client(), env: { ...cluster!.env, FAKE_WORKER_STEP_MS: '100' } });
    supervisors.push(supervisor);
    return { supervisor, launch: () => supervisor.launch({ config, plan }) };
  };

  it('submits with sbatch --parsable, sees it queued then running, and stops it with SIGTERM: checkpoint, finished(stopped), COMPLETED', async () => {
    const { supervisor, launch } = fakeRun('stop');
    const notices = record(supervisor);
    const run = await launch();
    assert.match(run.slurmJobId ?? '', /^\d+$/);
    await waitFor(() => supervisor.current!.status === 'running', 'the job to start running');
    assert.equal(await client().state(run.slurmJobId!), 'RUNNING');
    await waitFor(() => eventsOf(notices, 'checkpoint').length >= 1, 'a checkpoint from inside the job');
    assert.equal(await supervisor.stop(60_000), 'stopped');
    const finished = eventsOf(notices, 'finished') as { status: string; checkpoint: string }[];
    assert.equal(finished[0]?.status, 'stopped', 'the worker got SIGTERM (not SIGKILL) and checkpointed');
    assert.ok(existsSync(join(finished[0]!.checkpoint, 'trainer_state.json')));
    assert.deepEqual(statuses(notices).slice(0, 2), ['queued', 'running']);
    const state = await waitFor(async () => { const s = await client().state(run.slurmJobId!); return s && SLURM_DONE.has(s) ? s : null; }, 'the job to end');
    assert.equal(state, 'COMPLETED');
    const out = readFileSync(join(run.plan.runDir, `slurm-${run.slurmJobId}.out`), 'utf8');
    assert.match(out, /SIGTERM received: saving a checkpoint and stopping/);
  });

  it('a run folder and job name with spaces, quotes, # and % run as they are (sbatch quoting, %% in the output pattern)', async () => {
    const name = `50% off #2 it's "best" $HOME`;
    const { supervisor, launch } = fakeRun(name, { jobName: `llava-studio-${name}` }, 3);
    const run = await launch();
    assert.ok(await supervisor.waitForEnd(60_000), 'the job ends');
    assert.equal(supervisor.current!.status, 'finished', JSON.stringify(supervisor.current!.error));
    const out = readFileSync(join(tree.root, 'runs', name, `slurm-${run.slurmJobId}.out`), 'utf8');
    assert.match(out, /finished at step 3/);
    const shown = await execCommand('scontrol', ['show', 'job', run.slurmJobId!], { env: cluster!.env });
    assert.ok(shown.stdout.includes(`JobName=llava-studio-${name}`), shown.stdout);
  });

  it('a job waiting for resources is cancelled before it starts', async () => {
    const all = cpus().length;
    const busy = fakeRun('busy', { cpusPerTask: all });
    const waiting = fakeRun('waiting', { cpusPerTask: all });
    const first = await busy.launch();
    await waitFor(() => busy.supervisor.current!.status === 'running', 'the first job to hold every CPU');
    const second = await waiting.launch();
    assert.equal(await client().state(second.slurmJobId!), 'PENDING');
    assert.equal(waiting.supervisor.current!.status, 'queued');
    assert.equal(await waiting.supervisor.stop(10_000), 'stopped');
    assert.equal(await waitFor(() => client().state(second.slurmJobId!), 'the cancelled job\'s state'), 'CANCELLED');
    assert.equal(existsSync(join(second.plan.runDir, 'events.jsonl')), false, 'the worker never ran');
    assert.equal(await busy.supervisor.stop(60_000), 'stopped');
    assert.ok(first.slurmJobId);
  });

  it('runs the real worker\'s --validate-only as a job (no torch needed)', async function () {
    if (!existsSync(join(NATIVE_BIN, 'llava_studio_worker', 'validate.py'))) {
      this.test!.title += ' (skipped: native-bin/llava_studio_worker/validate.py does not exist yet)';
      this.skip();
    }
    const runDir = join(tree.root, 'runs', 'validate');
    const data = makeTree({
      'img.png': Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'),
      'train.json': JSON.stringify([{ id: '1', image: 'img.png', conversations: [{ from: 'human', value: '<image>\nWhat colour is this?' }, { from: 'gpt', value: 'Red.' }] }]),
    });
    try {
      const config = completeConfig({ model: '/models/m', dataset: { path: join(data.root, 'train.json') }, output_dir: runDir, method: 'lora' });
      const plan = slurmPlan({ python: '/usr/bin/python3', nativeBin: NATIVE_BIN, runDir, extraArgs: ['--validate-only'] }, { nodes: 1, gpusPerNode: 0, jobName: 'validate' });
      const now = new Date().toISOString();
      const { mkdirSync } = await import('node:fs');
      mkdirSync(runDir, { recursive: true });
      await writeRunRecord(plan.files.runJson, {
        version: 1, name: 'validate', status: 'queued', config, plan, pid: null, host: 'test', startedAt: now, pidStartTime: null, slurmJobId: null,
        attempt: 1, attemptStartedAt: now, resumedFrom: null, eventsOffset: 0, stopRequestedAt: null, stopGraceMs: null, stopForcedAt: null,
        endedAt: null, exitCode: null, error: null, gpus: [],
      });
      writeFileSync(plan.scriptPath, plan.script, { mode: 0o755 });
      const jobId = await client().submit(plan.scriptPath, { ...cluster!.env, ...plan.env });
      const state = await waitFor(async () => { const s = await client().state(jobId); return s && SLURM_DONE.has(s) ? s : null; }, 'the validation job to end', 60_000);
      const out = readFileSync(join(runDir, `slurm-${jobId}.out`), 'utf8');
      assert.equal(state, 'COMPLETED', out);
      const summary = JSON.parse(out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1)) as { ok: boolean; dataset: { train_samples: number } };
      assert.equal(summary.ok, true);
      assert.equal(summary.dataset.train_samples, 1);
    } finally {
      data.remove();
    }
  });
});
