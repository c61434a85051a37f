import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isAlive } from '../../../src/core/training/processInfo';
import { readRunRecord, writeRunRecord } from '../../../src/core/training/runRecord';
import { Supervisor } from '../../../src/core/training/supervisor';
import { fakeRunRequest } from '../../fixtures/fake-worker/request';
import { makeTree } from '../helpers/tempTree';
import { eventsOf, record, statuses, waitFor } from './helpers';
import { llava16_mistral_7b } from './modelConfigs';

const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...process.env, FAKE_WORKER_STEP_MS: '40', ...extra });
const runJsonStatus = async (dir: string): Promise<string> => (await readRunRecord(join(dir, 'run.json'))).status;
/** The fake worker's children, from its "children: loaders 1,2 ranks 3" line in train.log. */
const childrenOf = (dir: string): number[] => {
  const line = /children: loaders ([\d,]*) ranks ([\d,]*)/.exec(readFileSync(join(dir, 'train.log'), 'utf8'));
  return line ? [...line[1]!.split(','), ...line[2]!.split(',')].filter(Boolean).map(Number) : [];
};

describe('training supervisor (real child processes)', function () {
  this.timeout(60_000);
  const tree = makeTree({ 'runs/': '' });
  const live: Supervisor[] = [];
  const supervisor = (dir: string, extra: Record<string, string> = {}): Supervisor => {
    const s = new Supervisor(dir, { pollMs: 50, env: env(extra) });
    live.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of live.splice(0)) {
      const pid = s.current?.pid;
      s.dispose();
      if (pid && isAlive(pid)) process.kill(-pid, 'SIGKILL');
    }
  });
  after(() => tree.remove());

  it('launches detached, reports live events, and finishes', async () => {
    const dir = join(tree.root, 'runs/complete');
    const s = supervisor(dir);
    const notices = record(s);
    const launched = await s.launch(fakeRunRequest(dir, { max_steps: 12 }));
    assert.equal(launched.status, 'running');
    assert.ok(launched.pid && launched.pidStartTime, 'pid and its start time are recorded');
    const onDisk = await readRunRecord(join(dir, 'run.json'));
    assert.equal(onDisk.pid, launched.pid);
    assert.equal(onDisk.config.max_steps, 12);
    assert.ok(await s.waitForEnd(30_000), 'run ends');
    assert.equal(s.current!.status, 'finished');
    assert.equal(await runJsonStatus(dir), 'finished');
    const progress = eventsOf(notices, 'progress') as { step: number; total: number }[];
    assert.deepEqual(progress.map((p) => p.step), [...Array(12).keys()].map((i) => i + 1));
    assert.deepEqual((eventsOf(notices, 'checkpoint') as { step: number }[]).map((c) => c.step), [5, 10]);
    assert.ok(notices.some((n) => n.kind === 'alert' && n.alert.kind === 'completed'));
    assert.deepEqual(statuses(notices), ['running', 'finished']);
    const log = readFileSync(join(dir, 'train.log'), 'utf8');
    assert.match(log, /\[llava-studio\] attempt 1 at .*worker\.mjs --config .*run\.json/);
    assert.match(log, /finished at step 12/);
  });

  it('survives its launcher: a new Supervisor in another life reattaches, follows, and stops with a checkpoint', async () => {
    const dir = join(tree.root, 'runs/reattach');
    const launcher = join(__dirname, '../../fixtures/fake-worker/launch.ts');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', launcher, dir, '100000'], { env: env({ FAKE_WORKER_STEP_MS: '30' }) });
    const { pid } = JSON.parse(stdout) as { pid: number };
    assert.ok(isAlive(pid), 'the worker outlives the process that launched it');

    const s = supervisor(dir);
    const notices = record(s);
    assert.equal(await s.reattach(), 'following');
    await waitFor(() => eventsOf(notices, 'checkpoint').length >= 1, 'a checkpoint while following');
    const before = (eventsOf(notices, 'progress') as { step: number }[]).length;
    await waitFor(() => eventsOf(notices, 'progress').length > before, 'live progress after reattaching');

    assert.equal(await s.stop(20_000), 'stopped');
    const finished = eventsOf(notices, 'finished') as { status: string; step: number; checkpoint: string }[];
    assert.equal(finished.length, 1);
    assert.equal(finished[0]!.status, 'stopped');
    assert.ok(existsSync(join(finished[0]!.checkpoint, 'trainer_state.json')), 'the stop wrote a checkpoint');
    assert.equal(await runJsonStatus(dir), 'stopped');
    await waitFor(() => !isAlive(pid), 'the worker to be gone');
  });

  it('kill -9: marks the run crashed with the log tail; the last checkpoint is intact and resumable', async () => {
    const dir = join(tree.root, 'runs/killed');
    const first = supervisor(dir);
    const request = fakeRunRequest(dir, { max_steps: 30 });
    const { pid } = await first.launch(request);
    await waitFor(() => existsSync(join(dir, 'train.log')) && readFileSync(join(dir, 'train.log'), 'utf8').includes('saved checkpoint-10'), 'checkpoint-10 written and logged');
    first.dispose(); // the extension is gone too: nobody is watching when the worker dies
    process.kill(-pid!, 'SIGKILL');
    await waitFor(() => !isAlive(pid!), 'the killed worker to vanish');

    const second = supervisor(dir);
    assert.equal(await second.reattach(), 'ended');
    const crashed = second.current!;
    assert.equal(crashed.status, 'crashed');
    assert.match(crashed.error!.message, /without reporting an end/);
    assert.ok(crashed.error!.logTail.some((line) => /saved checkpoint-10/.test(line)), crashed.error!.logTail.join('\n'));
    assert.equal(await runJsonStatus(dir), 'crashed');

    const notices = record(second);
    await second.resume('latest');
    assert.equal(second.current!.status, 'running');
    assert.equal(second.current!.attempt, 2);
    assert.ok(await second.waitForEnd(30_000));
    assert.equal(second.current!.status, 'finished');
    const started = eventsOf(notices, 'started') as { resumeFrom: string }[];
    assert.equal(started.length, 1, 'only this attempt\'s events are replayed');
    assert.match(started[0]!.resumeFrom, /checkpoint-(1[0-9]|2[0-9])$/);
    const steps = (eventsOf(notices, 'progress') as { step: number }[]).map((p) => p.step);
    assert.ok(steps[0]! > 10 && steps[steps.length - 1] === 30, `resumed steps ${steps[0]}…${steps[steps.length - 1]}`);
  });

  it('two runs at once stay apart', async () => {
    const dirs = [join(tree.root, 'runs/a'), join(tree.root, 'runs/b')];
    const runs = dirs.map((dir) => ({ dir, s: supervisor(dir) }));
    const notices = runs.map(({ s }) => record(s));
    await Promise.all(runs.map(({ dir, s }, i) => s.launch(fakeRunRequest(dir, { max_steps: 6 + i * 3 }))));
    assert.notEqual(runs[0]!.s.current!.pid, runs[1]!.s.current!.pid);
    assert.deepEqual(await Promise.all(runs.map(({ s }) => s.waitForEnd(30_000))), [true, true]);
    assert.deepEqual(runs.map(({ s }) => s.current!.status), ['finished', 'finished']);
    assert.deepEqual(notices.map((n) => (eventsOf(n, 'progress') as { step: number }[]).length), [6, 9]);
  });

  it('Stop with DataLoader workers in the group: SIGTERM reaches the trainer alone, which checkpoints and shuts them down', async () => {
    const dir = join(tree.root, 'runs/loaders');
    const s = supervisor(dir, { FAKE_WORKER_LOADERS: '2' }); // workers that die on a SIGTERM not from their parent, as torch's do
    const notices = record(s);
    await s.launch(fakeRunRequest(dir, { max_steps: 100000 }));
    await waitFor(() => eventsOf(notices, 'checkpoint').length >= 1, 'a checkpoint');
    const loaders = childrenOf(dir);
    assert.equal(loaders.length, 2);
    assert.equal(await s.stop(20_000), 'stopped');
    assert.deepEqual(eventsOf(notices, 'error'), [], 'no "DataLoader worker … killed by signal: Terminated"');
    const finished = eventsOf(notices, 'finished') as { status: string; checkpoint: string }[];
    assert.equal(finished[0]?.status, 'stopped');
    assert.ok(existsSync(join(finished[0]!.checkpoint, 'trainer_state.json')), 'the stop wrote a checkpoint');
    assert.equal(s.current!.error, null);
    await waitFor(() => loaders.every((p) => !isAlive(p)), 'the trainer to shut its loaders down');
  });

  it('a worker that ignores SIGTERM is killed after the grace period: its group and every descendant, ranks in their own sessions too', async () => {
    const dir = join(tree.root, 'runs/stubborn');
    const s = supervisor(dir, { FAKE_WORKER_MODE: 'ignore-term', FAKE_WORKER_LOADERS: '2', FAKE_WORKER_LOADER_GUARD: '1', FAKE_WORKER_RANKS: '1' });
    const { pid } = await s.launch(fakeRunRequest(dir, { max_steps: 100000 }));
    await waitFor(() => existsSync(join(dir, 'events.jsonl')) && childrenOf(dir).length === 3, 'the first events and the children');
    const children = childrenOf(dir);
    const asked = Date.now();
    assert.equal(await s.stop(300), 'stopped');
    assert.ok(Date.now() - asked >= 300, 'not killed before the grace period');
    assert.match(s.current!.error!.message, /by force after the grace period/);
    assert.ok(s.current!.stopForcedAt);
    await waitFor(() => !isAlive(pid!) && children.every((p) => !isAlive(p)), 'the stubborn worker and all its children to die');
    assert.match(readFileSync(join(dir, 'train.log'), 'utf8'), /SIGTERM received and ignored/);
  });

  it('a stop asked before a reload is enforced after it: the reattaching window SIGKILLs a worker past its deadline', async () => {
    const dir = join(tree.root, 'runs/pending-stop');
    const first = supervisor(dir, { FAKE_WORKER_MODE: 'ignore-term' });
    const { pid } = await first.launch(fakeRunRequest(dir, { max_steps: 100000 }));
    await waitFor(() => existsSync(join(dir, 'events.jsonl')), 'the first events');
    first.dispose(); // the window that asked for the stop is gone before the grace period ended
    process.kill(pid!, 'SIGTERM'); // what its stop sent (ignored)
    const asked = await readRunRecord(join(dir, 'run.json'));
    await writeRunRecord(join(dir, 'run.json'), { ...asked, stopRequestedAt: new Date(Date.now() - 5_000).toISOString(), stopGraceMs: 1_000 });

    const second = supervisor(dir);
    assert.equal(await second.reattach(), 'following');
    assert.ok(await second.waitForEnd(10_000), 'the reattached supervisor ends it');
    assert.equal(second.current!.status, 'stopped');
    assert.match(second.current!.error!.message, /by force after the grace period/);
    await waitFor(() => !isAlive(pid!), 'the worker killed');
    assert.ok((await readRunRecord(join(dir, 'run.json'))).stopForcedAt);
  });

  it('a pending stop not yet due is enforced at its deadline, not before', async () => {
    const dir = join(tree.root, 'runs/pending-later');
    const first = supervisor(dir, { FAKE_WORKER_MODE: 'ignore-term' });
    const { pid } = await first.launch(fakeRunRequest(dir, { max_steps: 100000 }));
    await waitFor(() => existsSync(join(dir, 'events.jsonl')), 'the first events');
    first.dispose();
    const asked = await readRunRecord(join(dir, 'run.json'));
    await writeRunRecord(join(dir, 'run.json'), { ...asked, stopRequestedAt: new Date().toISOString(), stopGraceMs: 1_500 });
    const second = supervisor(dir);
    assert.equal(await second.reattach(), 'following');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(isAlive(pid!), 'alive before the deadline');
    assert.ok(await second.waitForEnd(10_000));
    assert.equal(second.current!.status, 'stopped');
  });

  it('OOM: failed, with an alert carrying settings that would fit; a NaN loss alerts once', async () => {
    const oomDir = join(tree.root, 'runs/oom');
    const modelDir = join(tree.root, 'llava-next');
    mkdirSync(modelDir, { recursive: true });
    writeFileSync(join(modelDir, 'config.json'), JSON.stringify(llava16_mistral_7b));
    const oom = supervisor(oomDir, { FAKE_WORKER_MODE: 'oom' });
    const oomNotices = record(oom);
    const request = fakeRunRequest(oomDir, { model: modelDir, per_device_batch: 8, gradient_checkpointing: false });
    await oom.launch({ ...request, gpus: [{ name: 'RTX 4090', total_mb: 24564, free_mb: 23000 }] });
    assert.ok(await oom.waitForEnd(30_000));
    assert.equal(oom.current!.status, 'failed');
    assert.match(oom.current!.error!.message, /CUDA out of memory/);
    const alert = await waitFor(() => oomNotices.find((n) => n.kind === 'alert' && n.alert.kind === 'oom'), 'the OOM alert');
    assert.ok(alert.kind === 'alert' && alert.alert.kind === 'oom');
    assert.ok(alert.alert.suggestions.length > 0, 'settings that would fit the 23000 MiB the probe saw');
    for (const s of alert.alert.suggestions) assert.ok(s.estimate.total <= 23000 * 2 ** 20, s.description.join('; '));

    const nanDir = join(tree.root, 'runs/nan');
    const nan = supervisor(nanDir, { FAKE_WORKER_MODE: 'nan' });
    const nanNotices = record(nan);
    await nan.launch(fakeRunRequest(nanDir, { max_steps: 8 }));
    assert.ok(await nan.waitForEnd(30_000));
    const nanAlerts = nanNotices.filter((n) => n.kind === 'alert' && n.alert.kind === 'nan-loss');
    assert.equal(nanAlerts.length, 1);
    assert.ok(nanAlerts[0]!.kind === 'alert' && nanAlerts[0]!.alert.kind === 'nan-loss' && nanAlerts[0]!.alert.step === 3);
  });

  it('a worker that dies without a word is crashed, with the end of train.log', async () => {
    const dir = join(tree.root, 'runs/silent');
    const s = supervisor(dir, { FAKE_WORKER_MODE: 'silent-exit' });
    await s.launch(fakeRunRequest(dir));
    assert.ok(await s.waitForEnd(30_000));
    assert.equal(s.current!.status, 'crashed');
    assert.match(s.current!.error!.message, /exited with code 1 without reporting an end/);
    assert.ok(s.current!.error!.logTail.includes('Segmentation fault (core dumped)'));
    assert.equal(s.current!.exitCode, 1);
  });

  it('no Hub token reaches a worker, not even a pushing run\'s with HF_TOKEN in the launcher\'s environment', async () => {
    const token = 'hf_SupervisorSecret0123456789';
    for (const [name, push] of [['push', { repo_id: 'me/cats', private: true }], ['no-push', null]] as const) {
      const dir = join(tree.root, 'runs', name);
      const s = supervisor(dir, { HF_TOKEN: token, HUGGING_FACE_HUB_TOKEN: token });
      await s.launch(fakeRunRequest(dir, { max_steps: 3, push }));
      assert.ok(await s.waitForEnd(30_000));
      assert.equal(s.current!.status, 'finished');
      assert.match(readFileSync(join(dir, 'train.log'), 'utf8'), /hub token: absent/, name);
      for (const file of ['run.json', 'train.log', 'events.jsonl']) assert.ok(!readFileSync(join(dir, file), 'utf8').includes(token), `${name}/${file}`);
      assert.equal('secretEnv' in s.current!.plan, false);
    }
  });

  it('refuses to launch over a live run, and resume refuses a missing checkpoint', async () => {
    const dir = join(tree.root, 'runs/busy');
    const s = supervisor(dir);
    await s.launch(fakeRunRequest(dir, { max_steps: 100000 }));
    await assert.rejects(supervisor(dir).launch(fakeRunRequest(dir)), /already has a live run \(pid \d+\)/);
    await assert.rejects(s.resume('latest'), /is running: stop it before resuming/);
    assert.equal(await s.stop(20_000), 'stopped');
    await assert.rejects(s.resume('checkpoint-999999'), /no checkpoint-999999 to resume from/);
  });
});
