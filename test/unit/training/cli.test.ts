import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { main } from '../../../src/cli';
import { followRun, pushAfterFinish } from '../../../src/cli/trainCommand';
import type { PushRequest } from '../../../src/core/hub/upload';
import { completeConfig } from '../../../src/core/training/config';
import { validateConfig } from '../../../src/core/training/config';
import { Supervisor } from '../../../src/core/training/supervisor';
import { fakeRunRequest } from '../../fixtures/fake-worker/request';
import { makeTree } from '../helpers/tempTree';
import { llava16_mistral_7b } from './modelConfigs';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

const TINY = resolve(__dirname, '../../fixtures/tiny-llava/model');
const PYTHON = '/usr/bin/python3';
const noTorch = { python: '3.11.2', executable: PYTHON, packages: { torch: null, transformers: null, peft: null, accelerate: null, bitsandbytes: null }, cuda: null, gpus: [], bf16: false, errors: [] };

describe('training CLI: probe, init-config, estimate, train', function () {
  this.timeout(60_000);
  const tree = makeTree({
    'data/train.json': '[]',
    'next/config.json': JSON.stringify(llava16_mistral_7b),
    'weightless/README.md': 'no config here',
    // A stand-in worker package whose probe reports what LLAVA_TEST_PROBE says.
    'native-bin/requirements.txt': 'torch>=2.4\ntransformers>=5\npeft\naccelerate\n',
    'native-bin/llava_studio_worker/__init__.py': '',
    'native-bin/llava_studio_worker/probe.py': 'import os\nprint(os.environ["LLAVA_TEST_PROBE"])\n',
  });
  const saved = { bin: process.env.LLAVA_STUDIO_NATIVE_BIN, probe: process.env.LLAVA_TEST_PROBE };
  before(() => {
    process.env.LLAVA_STUDIO_NATIVE_BIN = join(tree.root, 'native-bin');
    process.env.LLAVA_TEST_PROBE = JSON.stringify(noTorch);
  });
  after(() => {
    for (const [key, value] of [['LLAVA_STUDIO_NATIVE_BIN', saved.bin], ['LLAVA_TEST_PROBE', saved.probe]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    tree.remove();
  });
  const config = join(tree.root, 'configs/tiny.train.json');

  it('probe --json prints one object with python, packages, cuda, gpus and hints', async () => {
    const { code, out } = await cli('probe', '--python', PYTHON, '--json');
    assert.equal(code, 0);
    const probe = JSON.parse(out) as Record<string, unknown>;
    assert.deepEqual(Object.keys(probe), ['python', 'executable', 'packages', 'cuda', 'gpus', 'bf16', 'hints']);
    assert.deepEqual((probe.hints as string[])[0], `torch, transformers, peft, accelerate are not installed in ${PYTHON}: pip install -r ${join(tree.root, 'native-bin/requirements.txt')}`);
    const missing = await cli('probe', '--python', join(tree.root, 'nope'), '--json');
    assert.equal(missing.code, 1);
    assert.match((JSON.parse(missing.out) as { error: string }).error, /no python interpreter/);
  });

  it('init-config writes a complete, valid config from a local model folder (offline), paths relative to the file', async () => {
    const { code, out } = await cli('init-config', '--model', TINY, '--dataset', join(tree.root, 'data/train.json'), '--out', config, '--preset', 'qlora');
    assert.equal(code, 0, out);
    const written = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(validateConfig(written), []);
    assert.equal(written.method, 'qlora');
    assert.match(written.model as string, /^\.\.\//, 'a relative local path stays recognisably local');
    assert.equal(resolve(join(tree.root, 'configs'), written.model as string), TINY);
    assert.deepEqual(written.dataset, { path: '../data/train.json', format: 'auto', images_dir: null, eval_path: null, eval_ratio: 0 });
    assert.equal(written.output_dir, './runs/model-qlora');
    assert.equal((await cli('init-config', '--model', TINY, '--dataset', 'x.json', '--out', config)).code, 2, 'never overwrites without --force');
  });

  it('init-config raises max_length to cover anyres image tokens, and refuses a folder without config.json', async () => {
    const next = join(tree.root, 'configs/next.json');
    const { code, err } = await cli('init-config', '--model', join(tree.root, 'next'), '--dataset', join(tree.root, 'data/train.json'), '--out', next);
    assert.equal(code, 0);
    assert.match(err, /max_length raised from 2048 to 3584: one image alone is up to 2928 tokens/);
    assert.equal((JSON.parse(readFileSync(next, 'utf8')) as { max_length: number }).max_length, 3584);
    const bad = await cli('init-config', '--model', join(tree.root, 'weightless'), '--dataset', 'x.json', '--out', join(tree.root, 'configs/w.json'));
    assert.equal(bad.code, 2);
    assert.match(bad.err, /no config\.json in model folder/);
  });

  it('estimate --json prints total_gb and the parts; --free-mb says whether it fits (exit 1 when not)', async () => {
    const next = join(tree.root, 'configs/next.json');
    const { code, out } = await cli('estimate', next, '--json');
    assert.equal(code, 0);
    const report = JSON.parse(out) as { total_gb: number; parts: Record<string, number> };
    for (const key of ['weights', 'lora', 'optimizer', 'activations', 'overhead']) assert.equal(typeof report.parts[key], 'number', key);
    assert.ok(report.parts.weights! > 15 && report.parts.weights! < 15.3, `7.57 B bf16 weights: ${report.parts.weights}`);
    const tight = await cli('estimate', next, '--json', '--free-mb', '20000');
    assert.equal(tight.code, 1);
    const fit = JSON.parse(tight.out) as { fits: boolean; suggestions: { total_gb: number }[] };
    assert.equal(fit.fits, false);
    assert.ok(fit.suggestions.every((s) => s.total_gb <= 20000 * 2 ** 20 / 1e9));
  });

  it('train --dry-run prints the command, variables and run folder; --slurm --dry-run prints the sbatch script', async () => {
    const dry = await cli('train', config, '--dry-run', '--python', PYTHON);
    assert.equal(dry.code, 0);
    const runDir = join(tree.root, 'configs/runs/model-qlora');
    assert.match(dry.out, new RegExp(`^command: {4}${PYTHON} -m llava_studio_worker\\.train --config ${runDir}/run\\.json$`, 'm'));
    assert.match(dry.out, /^ {2}PYTHONUNBUFFERED=1$/m);
    assert.match(dry.out, new RegExp(`^run folder: ${runDir}$`, 'm'));
    const slurm = await cli('train', config, '--dry-run', '--slurm', '--nodes', '2', '--gpus-per-node', '4', '--partition', 'a100');
    assert.equal(slurm.code, 0);
    assert.match(slurm.out, /^#!\/bin\/bash\n#SBATCH --job-name="llava-studio-model-qlora"\n#SBATCH --nodes=2/m);
    assert.match(slurm.out, /--num_processes 8/);
    assert.match(slurm.out, /^unset HF_TOKEN HUGGING_FACE_HUB_TOKEN HUGGINGFACE_HUB_TOKEN/m);
    const badTime = await cli('train', config, '--dry-run', '--slurm', '--time', '1 day');
    assert.equal(badTime.code, 2);
    assert.match(badTime.err, /time limit must look like/);
  });

  it('train --dry-run of a pushing config: the worker gets no token, the CLI pushes afterwards', async () => {
    const pushing = join(tree.root, 'configs/pushing.json');
    writeFileSync(pushing, JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')), push: { repo_id: 'me/tiny', private: true } }));
    const saved = process.env.HF_TOKEN;
    process.env.HF_TOKEN = 'hf_DryRunMustNotPrint';
    try {
      for (const extra of [[], ['--slurm']]) {
        const dry = await cli('train', pushing, '--dry-run', '--python', PYTHON, ...extra);
        assert.equal(dry.code, 0, dry.err);
        assert.match(dry.out, /^# then: push final\/ to me\/tiny from here with HF_TOKEN \(set in this shell\); the worker gets no token$/m);
        assert.doesNotMatch(dry.out, /hf_DryRunMustNotPrint|HF_TOKEN=/);
      }
    } finally {
      if (saved === undefined) delete process.env.HF_TOKEN;
      else process.env.HF_TOKEN = saved;
    }
  });

  it('after a finished run that asks for it, the CLI pushes final/ with its shell\'s token; without one it says how to push later', async () => {
    const run = completeConfig({ model: 'm/m', dataset: { path: 'd.json' }, output_dir: '/runs/cats', method: 'lora', push: { repo_id: 'me/cats', private: false } });
    const pushed: PushRequest[] = [];
    const push = async (request: PushRequest) => {
      pushed.push(request);
      return { repoUrl: 'https://huggingface.co/me/cats', createdRepo: true, commitOid: 'abc', commitUrl: null, files: ['README.md', 'adapter_model.safetensors'] };
    };
    let out = '';
    let err = '';
    const io = { out: (t: string) => { out += t; }, err: (t: string) => { err += t; } };
    assert.equal(await pushAfterFinish(run, io, { HF_TOKEN: 'hf_x' }, push), true);
    assert.deepEqual(pushed, [{ runDir: '/runs/cats', repoId: 'me/cats', private: false, accessToken: 'hf_x' }]);
    assert.equal(out, 'pushed 2 file(s) to https://huggingface.co/me/cats (new repository)\n');
    assert.equal(await pushAfterFinish(run, io, {}, push), false);
    assert.match(err, /^not pushed to me\/cats: HF_TOKEN is not set in this shell \(push later: python -m llava_studio_worker\.push --run \/runs\/cats --repo-id me\/cats, token on stdin\)$/m);
    assert.equal(await pushAfterFinish({ ...run, push: null }, io, {}, push), true, 'nothing to push');
    assert.equal(pushed.length, 1);
  });

  it('train exits 2 with the probe\'s hint when the worker cannot run; a bad config names the field', async () => {
    const { code, err } = await cli('train', config, '--python', PYTHON);
    assert.equal(code, 2);
    assert.match(err, new RegExp(`torch, transformers, peft, accelerate are not installed in ${PYTHON}: pip install -r .*native-bin/requirements\\.txt`));
    const broken = join(tree.root, 'configs/broken.json');
    writeFileSync(broken, JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')), lora: { r: -4 } }));
    const bad = await cli('train', broken, '--dry-run');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /broken\.json: lora\.r: must be >= 1 \(got -4\)/);
  });

  it('following a run prints progress, checkpoints and the end', async () => {
    const runDir = join(tree.root, 'follow');
    const supervisor = new Supervisor(runDir, { pollMs: 50, env: { ...process.env, FAKE_WORKER_STEP_MS: '30' } });
    let out = '';
    let err = '';
    await supervisor.launch(fakeRunRequest(runDir, { max_steps: 6 }));
    const { status, interrupted } = await followRun(supervisor, { out: (t) => { out += t; }, err: (t) => { err += t; } }, 10_000);
    supervisor.dispose();
    assert.deepEqual({ status, interrupted }, { status: 'finished', interrupted: false });
    assert.match(out, /^step 6\/6 {2}loss 0\.33333 {2}33\.33 it\/s {2}eta 0 s$/m);
    assert.match(out, /^checkpoint: .*follow\/checkpoint-5$/m);
    assert.match(out, /^alert: training completed at step 6/m);
    assert.match(out, /^status: finished/m);
    assert.equal(err, '');
  });
});
