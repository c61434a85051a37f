import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { formatPlan, localPlan, shellQuote } from '../../../src/core/training/launchPlan';
import { slurmPlan, type SlurmOptions } from '../../../src/core/training/slurm';
import { sbatchQuote } from '../../../src/core/training/slurmValues';
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

  it('environment: PYTHONPATH, PYTHONUNBUFFERED, TENSORBOARD_LOGGING_DIR, and never a Hub token', () => {
    const plan = localPlan(base);
    assert.deepEqual(plan.env, { PYTHONPATH: '/ext/native-bin', PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8', TENSORBOARD_LOGGING_DIR: '/work/runs/cats/runs' });
    assert.equal('secretEnv' in plan, false);
    const printed = formatPlan(plan);
    assert.match(printed, /^ {2}\(HF_TOKEN, HUGGING_FACE_HUB_TOKEN, HUGGINGFACE_HUB_TOKEN removed: the worker gets no Hub token\)$/m);
    assert.doesNotMatch(printed, /HF_TOKEN=/);
    assert.match(printed, /^run folder: \/work\/runs\/cats$/m);
    assert.match(printed, /^command: {4}\/venv\/bin\/python -m llava_studio_worker\.train --config \/work\/runs\/cats\/run\.json$/m);
  });

  it('the worker\'s environment loses every inherited Hub token, pushing run or not', () => {
    const inherited = { PATH: '/bin', PYTHONPATH: '/mine', HF_TOKEN: SECRET, HUGGING_FACE_HUB_TOKEN: SECRET, HUGGINGFACE_HUB_TOKEN: SECRET };
    const env = workerEnvironment(localPlan(base), inherited);
    assert.equal(env.PYTHONPATH, '/ext/native-bin:/mine');
    assert.equal(env.PATH, '/bin');
    assert.ok(!Object.values(env).includes(SECRET), 'no token under any name');
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
  const plan = slurmPlan(base, { nodes: 2, gpusPerNode: 8, partition: 'gpu', time: '24:00:00' });

  it('directives: nodes, one task per node, GPUs per node, partition, time, TERM 300 s before the limit to the tasks, output in the run folder', () => {
    const directives = plan.script.split('\n').filter((l) => l.startsWith('#SBATCH ')).map((l) => l.slice(8));
    assert.deepEqual(directives, [
      '--job-name="llava-studio"', '--nodes=2', '--ntasks-per-node=1', '--gpus-per-node=8', '--partition=gpu', '--time=24:00:00',
      '--output="/work/runs/cats/slurm-%j.out"', '--chdir="/work/runs/cats"', '--signal=TERM@300',
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

  it('no Hub token reaches the job: the script unsets any a manual sbatch would pass on', () => {
    assert.equal('secretEnv' in plan, false);
    assert.match(plan.script, /^unset HF_TOKEN HUGGING_FACE_HUB_TOKEN HUGGINGFACE_HUB_TOKEN {2}# /m);
    assert.match(plan.script, /^export PYTHONPATH=\/ext\/native-bin$/m);
  });

  it('folder and job names with spaces, quotes, # and % are quoted for sbatch and escaped in the output pattern', () => {
    const odd = "/work/runs/50% off #2 it's \"best\" $HOME";
    const oddPlan = slurmPlan({ ...base, runDir: odd }, { nodes: 1, gpusPerNode: 1, jobName: "llava-studio-50% off #2 it's" });
    const directives = oddPlan.script.split('\n').filter((l) => l.startsWith('#SBATCH ')).map((l) => l.slice(8));
    assert.equal(directives[0], '--job-name="llava-studio-50% off \\#2 it\\\'s"');
    assert.ok(directives.includes('--output="/work/runs/50%% off \\#2 it\\\'s \\"best\\" $HOME/slurm-%j.out"'), directives.join('\n'));
    assert.ok(directives.includes('--chdir="/work/runs/50% off \\#2 it\\\'s \\"best\\" $HOME"'), directives.join('\n'));
    execFileSync('bash', ['-n'], { input: oddPlan.script });
    assert.equal(sbatchQuote('a\\b'), '"a\\\\b"');
  });

  const refused: [string, Partial<SlurmOptions>, string, RegExp][] = [
    ['a newline in the run folder', {}, '/work/runs/a\n#SBATCH --wrap=evil', /run folder "\/work\/runs\/a\\n#SBATCH --wrap=evil" has a control character \(\\x0a\) at index 12/],
    ['a tab in the job name', { jobName: 'a\tb' }, '/r', /job name "a\\tb" has a control character \(\\x09\)/],
    ['a backslash in the run folder (sbatch would stop replacing %j)', {}, '/work/a\\b', /run folder "\/work\/a\\\\b" has a backslash/],
    ['a partition with a space', { partition: 'gpu --wrap=x' }, '/r', /partition must be letters, digits, _ \. , - \(got 'gpu --wrap=x'\)/],
    ['an account with a quote', { account: 'lab"x' }, '/r', /account must be letters/],
    ['a time that is not a SLURM duration', { time: 'tomorrow' }, '/r', /time limit must look like MM, HH:MM:SS, D-HH or D-HH:MM:SS \(got 'tomorrow'\)/],
    ['a memory size with a unit SLURM lacks', { mem: '64GB' }, '/r', /memory must be a number with an optional K, M, G or T \(got '64GB'\)/],
    ['cpus per task of zero', { cpusPerTask: 0 }, '/r', /cpus per task must be a whole number ≥ 1/],
  ];
  for (const [name, slurm, runDir, error] of refused) {
    it(`refuses ${name}`, () => assert.throws(() => slurmPlan({ ...base, runDir }, { nodes: 1, gpusPerNode: 1, ...slurm }), error));
  }

  it('accepts every SLURM time format and partition lists', () => {
    for (const time of ['30', '30:00', '1:00:00', '2-0', '2-12:00', '2-12:00:00', 'UNLIMITED', 'infinite']) {
      assert.doesNotThrow(() => slurmPlan(base, { nodes: 1, gpusPerNode: 1, time, partition: 'gpu,gpu-long', account: 'lab.ml_1', mem: '64G' }), time);
    }
  });

  it('the script is valid bash', () => {
    execFileSync('bash', ['-n'], { input: plan.script });
  });
});
