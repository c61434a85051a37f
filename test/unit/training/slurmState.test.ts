import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { completeConfig } from '../../../src/core/training/config';
import { PollGate } from '../../../src/core/training/liveness';
import { newRunRecord, readRunRecord, writeRunRecord } from '../../../src/core/training/runRecord';
import { SlurmClient, slurmPlan, type ExecFn } from '../../../src/core/training/slurm';
import { Supervisor } from '../../../src/core/training/supervisor';
import { makeTree } from '../helpers/tempTree';
import { waitFor } from './helpers';

type Reply = { code: number; stdout: string; stderr: string };
const ok = (stdout: string): Reply => ({ code: 0, stdout, stderr: '' });
const fail = (stderr: string, code = 1): Reply => ({ code, stdout: '', stderr });
const INVALID = 'slurm_load_jobs error: Invalid job id specified\n'; // what Slurm 22.05 prints (seen on the test cluster)
const TIMEOUT = 'slurm_load_jobs error: Socket timed out on send/recv operation\n';

/** A SlurmClient whose squeue/scontrol answer from a script, counting the calls. */
function scripted(squeue: () => Reply, scontrol: () => Reply): { client: SlurmClient; calls: string[] } {
  const calls: string[] = [];
  const exec: ExecFn = async (file) => {
    calls.push(file);
    if (file === 'squeue') return squeue();
    if (file === 'scontrol') return scontrol();
    return ok('');
  };
  return { client: new SlurmClient(exec, {}), calls };
}

describe('SLURM job state', () => {
  const table: [string, Reply, Reply, string | null][] = [
    ['squeue knows it', ok('RUNNING\n'), fail('unused'), 'RUNNING'],
    ['squeue has aged it out, scontrol still shows it', ok(''), ok('JobId=7 JobName=x\n   JobState=COMPLETED Reason=None\n'), 'COMPLETED'],
    ['both say the id is invalid: forgotten', fail(INVALID), fail(INVALID), null],
    ['squeue empty, scontrol invalid: forgotten', ok(''), fail(INVALID), null],
    ['the controller times out: unknown, not forgotten', fail(TIMEOUT), fail(TIMEOUT), 'UNKNOWN'],
    ['the commands are missing (exit 127): unknown', fail('spawn squeue ENOENT', 127), fail('spawn scontrol ENOENT', 127), 'UNKNOWN'],
    ['killed by our own timeout (no output at all): unknown', fail('', 127), fail('', 127), 'UNKNOWN'],
    ['squeue invalid but scontrol times out: unknown', fail(INVALID), fail(TIMEOUT), 'UNKNOWN'],
  ];
  for (const [name, squeue, scontrol, expected] of table) {
    it(`${name} → ${expected}`, async () => assert.equal(await scripted(() => squeue, () => scontrol).client.state('7'), expected));
  }

  it('the poll gate asks every interval, and at once after soon()', () => {
    let now = 0;
    const gate = new PollGate(30_000, () => now);
    const asked: number[] = [];
    for (now = 0; now <= 90_000; now += 1000) if (gate.take()) asked.push(now);
    assert.deepEqual(asked, [0, 30_000, 60_000, 90_000]);
    now = 91_000;
    gate.soon();
    assert.equal(gate.take(), true);
    assert.equal(gate.take(), false);
  });
});

describe('a supervisor following a SLURM job (scripted squeue/scontrol)', function () {
  this.timeout(20_000);
  const tree = makeTree({ 'runs/': '' });
  const live: Supervisor[] = [];
  afterEach(() => { for (const s of live.splice(0)) s.dispose(); });
  after(() => tree.remove());

  async function running(name: string): Promise<string> {
    const runDir = join(tree.root, 'runs', name);
    mkdirSync(runDir, { recursive: true });
    const config = completeConfig({ model: '/m', dataset: { path: '/d.json' }, output_dir: runDir, method: 'lora' });
    const plan = slurmPlan({ python: '/usr/bin/python3', nativeBin: '/nb', runDir }, { nodes: 1, gpusPerNode: 1 });
    const record = newRunRecord({ name, config, plan, host: 'login1', now: new Date(), gpus: [] });
    await writeRunRecord(plan.files.runJson, { ...record, slurmJobId: '7', status: 'running' });
    return runDir;
  }
  const supervisor = (runDir: string, client: SlurmClient, slurmPollMs?: number): Supervisor => {
    const s = new Supervisor(runDir, { pollMs: 20, slurm: client, ...(slurmPollMs ? { slurmPollMs } : {}) });
    live.push(s);
    return s;
  };

  it('asks the controller once per slurmPollMs, not on every tick', async () => {
    const runDir = await running('throttled');
    const { client, calls } = scripted(() => ok('RUNNING\n'), () => fail('unused'));
    const s = supervisor(runDir, client); // default slurmPollMs: 30 s
    assert.equal(await s.reattach(), 'following');
    await new Promise((resolve) => setTimeout(resolve, 600)); // ~30 ticks of 20 ms
    assert.deepEqual(calls, ['squeue'], 'one query at the reattach, none on the ticks since');
  });

  it('keeps following through a controller that does not answer, and a preempted or requeued job', async () => {
    const runDir = await running('flaky');
    let answer: Reply = fail(TIMEOUT);
    const { client, calls } = scripted(() => answer, () => answer);
    const s = supervisor(runDir, client, 50);
    assert.equal(await s.reattach(), 'following');
    await waitFor(() => calls.length >= 6, 'a few unanswered polls');
    assert.equal(s.current!.status, 'running', 'UNKNOWN is not an end');
    assert.equal((await readRunRecord(join(runDir, 'run.json'))).status, 'running');
    for (const state of ['PREEMPTED', 'REQUEUED', 'PENDING']) {
      answer = ok(`${state}\n`);
      await waitFor(() => s.current!.status === 'queued', `${state}: waiting to run again`);
      answer = ok('RUNNING\n');
      await waitFor(() => s.current!.status === 'running', `running again after ${state}`);
    }
    answer = fail(INVALID);
    assert.ok(await s.waitForEnd(5_000), 'a forgotten job ends the run');
    assert.equal(s.current!.status, 'crashed');
  });
});
