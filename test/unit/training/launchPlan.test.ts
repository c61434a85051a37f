import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { formatPlan, localPlan, shellQuote } from '../../../src/core/training/launchPlan';
import { slurmPlan } from '../../../src/core/training/slurm';
import { workerEnvironment } from '../../../src/core/training/spawnWorker';

const base = { python: '/venv/bin/python', nativeBin: '/ext/native-bin', runDir: '/work/runs/cats' };
const SECRET = 'hf_secretvalue123';

describe('launch plans', () => {
  const local = [
    { name: 'one GPU: plain python -m', options: {}, argv: ['/venv/bin/python', '-m', 'llava_studio_worker.train', '--config', '/work/runs/cats/run.json'] },
    { name: 'resume', options: { resume: 'checkpoint-200' as const }, argv: ['/venv/bin/python', '-m', 'llava_studio_worker.train', '--config', '/work/runs/cats/run.json', '--resume', 'checkpoint-200'] },
    {
      name: 'four GPUs: accelerate launch through the same interpreter', options: { processes: 4 },
      argv: ['/venv/bin/python', '-m', 'accelerate.commands.launch', '--num_processes', '4', '--num_machines', '1', '-m', 'llava_studio_worker.train', '--config', '/work/runs/cats/run.json'],
    },
  ];
  for (const { name, options, argv } of local) {
    it(`local, ${name}`, () => assert.deepEqual(localPlan({ ...base, ...options }).argv, argv));
  }

  it('environment: PYTHONPATH, PYTHONUNBUFFERED, TENSORBOARD_LOGGING_DIR; HF_TOKEN by name only, and only when pushing', () => {
    const plan = localPlan({ ...base, push: true });
    assert.deepEqual(plan.env, { PYTHONPATH: '/ext/native-bin', PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8', TENSORBOARD_LOGGING_DIR: '/work/runs/cats/runs' });
    assert.deepEqual(plan.secretEnv, ['HF_TOKEN']);
    assert.deepEqual(localPlan(base).secretEnv, []);
    const printed = formatPlan(plan);
    assert.match(printed, /HF_TOKEN=<secret: taken from your environment, never written>/);
    assert.match(printed, /^run folder: \/work\/runs\/cats$/m);
    assert.match(printed, /^command: {4}\/venv\/bin\/python -m llava_studio_worker\.train --config \/work\/runs\/cats\/run\.json$/m);
  });

  it('the worker\'s environment gets the secret value; a run that does not push loses inherited tokens', () => {
    const inherited = { PATH: '/bin', PYTHONPATH: '/mine', HF_TOKEN: SECRET, HUGGING_FACE_HUB_TOKEN: SECRET };
    const pushing = workerEnvironment(localPlan({ ...base, push: true }), inherited, { HF_TOKEN: 'hf_given' });
    assert.equal(pushing.HF_TOKEN, 'hf_given');
    assert.equal(pushing.PYTHONPATH, '/ext/native-bin:/mine');
    const quiet = workerEnvironment(localPlan(base), inherited);
    assert.equal(quiet.HF_TOKEN, undefined);
    assert.equal(quiet.HUGGING_FACE_HUB_TOKEN, undefined);
    assert.equal(quiet.PATH, '/bin');
  });

  it('rejects a bad resume target and a custom worker on several GPUs', () => {
    assert.throws(() => localPlan({ ...base, resume: 'checkpoint-x' as never }), /resume must be 'latest' or 'checkpoint-N'/);
    assert.throws(() => localPlan({ ...base, processes: 2, workerCommand: ['node', 'w.mjs'] }), /cannot be launched on several GPUs/);
  });

  it('shell quoting round-trips through a real shell', () => {
    const args = ['plain', 'with space', "it's", '$HOME', 'a"b', ''];
    const echoed = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${args.map(shellQuote).join(' ')}`], { encoding: 'utf8' });
    assert.deepEqual(echoed.split('\n').slice(0, -1), args);
  });
});

describe('sbatch script', () => {
  const plan = slurmPlan({ ...base, push: true }, { nodes: 2, gpusPerNode: 8, partition: 'gpu', time: '24:00:00' });

  it('directives: nodes, one task per node, GPUs per node, partition, time, TERM 300 s before the limit to the tasks, output in the run folder', () => {
    const directives = plan.script.split('\n').filter((l) => l.startsWith('#SBATCH ')).map((l) => l.slice(8));
    assert.deepEqual(directives, [
      '--job-name=llava-studio', '--nodes=2', '--ntasks-per-node=1', '--gpus-per-node=8', '--partition=gpu', '--time=24:00:00',
      '--output=/work/runs/cats/slurm-%j.out', '--chdir=/work/runs/cats', '--signal=TERM@300',
    ]);
    assert.equal(plan.processes, 16);
    assert.deepEqual(plan.submitArgv, ['sbatch', '--parsable', '/work/runs/cats/job.sbatch']);
  });

  it('one srun per node running accelerate launch with the rendezvous from scontrol show hostnames', () => {
    assert.match(plan.script, /^MASTER_ADDR=\$\(scontrol show hostnames "\$SLURM_JOB_NODELIST" \| head -n 1\)$/m);
    assert.match(plan.script, /^MASTER_PORT=\$\(\(20000 \+ SLURM_JOB_ID % 20000\)\)$/m);
    const srun = plan.script.split('\n').find((l) => l.startsWith('srun '))!;
    assert.match(srun, /^srun --nodes=2 --ntasks-per-node=1 --kill-on-bad-exit=1 bash -c '/);
    for (const part of ['--num_machines 2', '--num_processes 16', '--machine_rank "$SLURM_NODEID"', '--main_process_ip "$MASTER_ADDR"', '--main_process_port "$MASTER_PORT"', '-m llava_studio_worker.train --config /work/runs/cats/run.json']) {
      assert.ok(srun.includes(part), `${part} in ${srun}`);
    }
  });

  it('no secret in the script: HF_TOKEN travels in the submitting environment', () => {
    assert.deepEqual(plan.secretEnv, ['HF_TOKEN']);
    assert.ok(!plan.script.includes('HF_TOKEN'));
    assert.match(plan.script, /^export PYTHONPATH=\/ext\/native-bin$/m);
  });

  it('the script is valid bash', () => {
    execFileSync('bash', ['-n'], { input: plan.script });
  });
});
