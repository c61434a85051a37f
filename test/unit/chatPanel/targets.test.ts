import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { listTargets, UNTRUSTED_WORKER, type ChatSettings, type TargetEnv } from '../../../src/ui/chat/targets';
import { TINY_LLAVA } from '../chat/testImages';
import { makeTree } from '../helpers/tempTree';

const none: ChatSettings = { onnxModel: '', openaiBaseUrl: '', openaiModel: '', python: 'python3', workerModel: '' };

describe('chat targets from settings', () => {
  let tree: ReturnType<typeof makeTree>;
  beforeEach(() => { tree = makeTree({ 'models/': '', 'ext/native-bin/': '' }); });
  afterEach(() => tree.remove());
  const env = (settings: Partial<ChatSettings>, trusted = true): TargetEnv => ({ settings: { ...none, ...settings }, modelsDir: join(tree.root, 'models'), extensionPath: join(tree.root, 'ext'), trusted, inheritedPythonPath: '/site' });

  it('nothing configured: no target, the shortlist offered', async () => {
    const { targets, onboarding } = await listTargets(env({}));
    assert.deepEqual(targets, []);
    assert.equal(onboarding.needed, true);
    assert.equal(onboarding.problem, null);
    assert.ok(onboarding.shortlist.length >= 3 && onboarding.shortlist.every((m) => m.approxMb > 0 && !m.downloaded));
  });

  it('an absolute model folder', async () => {
    const { targets, onboarding } = await listTargets(env({ onnxModel: TINY_LLAVA }));
    assert.equal(targets.length, 1);
    assert.equal(targets[0]!.info.id, `onnx:${TINY_LLAVA}`);
    assert.equal(targets[0]!.info.label, 'tiny-llava/model', 'a generic folder name gets its parent');
    assert.deepEqual(targets[0]!.config, { kind: 'onnx', modelDir: TINY_LLAVA });
    assert.equal(onboarding.needed, false);
  });

  const problems: [string, string, RegExp][] = [
    ['a relative path', 'models/tiny', /must be an absolute folder or one of HuggingFaceTB\/SmolVLM-256M-Instruct/],
    ['a folder that is not there', '/nonexistent/model', /model folder not found/],
    ['a shortlisted model not downloaded', 'HuggingFaceTB/SmolVLM-256M-Instruct', /not downloaded yet \(about 270 MB\)/],
  ];
  for (const [name, value, problem] of problems) {
    it(`explains ${name}`, async () => {
      const { targets, onboarding } = await listTargets(env({ onnxModel: value }));
      assert.match(onboarding.problem ?? '', problem);
      assert.equal(onboarding.needed, true);
      assert.ok(targets.every((t) => t.config === null));
    });
  }

  it('a downloaded shortlisted model is offered with its dtype, configured or not', async () => {
    const dir = join(tree.root, 'models/HuggingFaceTB/SmolVLM-256M-Instruct');
    mkdirSync(dir, { recursive: true });
    cpSync(TINY_LLAVA, dir, { recursive: true });
    for (const file of readdirSync(join(dir, 'onnx'))) renameSync(join(dir, 'onnx', file), join(dir, 'onnx', file.replace('.onnx', '_q4.onnx')));
    const { targets, onboarding } = await listTargets(env({}));
    assert.deepEqual(targets.map((t) => [t.info.label, t.config]), [['SmolVLM 256M Instruct', { kind: 'onnx', modelDir: dir, dtype: 'q4' }]]);
    assert.equal(onboarding.shortlist.find((m) => m.repo === 'HuggingFaceTB/SmolVLM-256M-Instruct')?.downloaded, true);
  });

  it('an OpenAI-compatible server (the key comes from secret storage, never from here)', async () => {
    const { targets } = await listTargets(env({ openaiBaseUrl: 'http://localhost:8000/v1/', openaiModel: 'llava-hf/llava-1.5-7b-hf' }));
    assert.deepEqual(targets[0], { info: { id: 'openai', kind: 'openai', label: 'llava-hf/llava-1.5-7b-hf', detail: 'http://localhost:8000/v1', problem: null }, config: { kind: 'openai', baseUrl: 'http://localhost:8000/v1', model: 'llava-hf/llava-1.5-7b-hf' }, wantsApiKey: true });
  });

  it('shows the OpenAI base URL without user:password or query string', async () => {
    const { targets } = await listTargets(env({ openaiBaseUrl: 'https://bob:hunter2@gw.example.com/v1?token=abc#x', openaiModel: 'm' }));
    assert.equal(targets[0]!.info.detail, 'https://gw.example.com/v1');
  });

  it('the worker: python setting, PYTHONPATH reaching native-bin; off in an untrusted workspace', async () => {
    const trusted = (await listTargets(env({ workerModel: 'llava-hf/llava-1.5-7b-hf', python: '/venv/bin/python' }))).targets[0]!;
    assert.deepEqual(trusted.config, { kind: 'worker', python: '/venv/bin/python', model: 'llava-hf/llava-1.5-7b-hf', env: { PYTHONPATH: `${join(tree.root, 'ext/native-bin')}${delimiter}/site` } });
    const untrusted = (await listTargets(env({ workerModel: 'llava-hf/llava-1.5-7b-hf' }, false))).targets[0]!;
    assert.equal(untrusted.config, null);
    assert.equal(untrusted.info.problem, UNTRUSTED_WORKER);
  });

  it('a checkpoint with a LoRA adapter: worker with the adapter, base from adapter_config.json, and the base to compare', async () => {
    tree.remove();
    tree = makeTree({ 'run/checkpoint-500/adapter_config.json': JSON.stringify({ base_model_name_or_path: 'llava-hf/llava-1.5-7b-hf' }), 'ext/native-bin/': '' });
    const path = join(tree.root, 'run/checkpoint-500');
    const { targets } = await listTargets(env({}), [{ kind: 'checkpoint', path, runName: 'lora-r64', hasAdapter: true }]);
    assert.deepEqual(targets.map((t) => [t.info.id, t.info.label]), [[`checkpoint:${path}`, 'lora-r64/checkpoint-500 (LoRA)'], ['worker-base:llava-hf/llava-1.5-7b-hf', 'llava-1.5-7b-hf (base)']]);
    assert.deepEqual(targets[0]!.config, { kind: 'worker', python: 'python3', model: 'llava-hf/llava-1.5-7b-hf', adapter: path, env: { PYTHONPATH: `${join(tree.root, 'ext/native-bin')}${delimiter}/site` } });
    // The base shares the checkpoint's worker (one copy of the base model in memory), adapter off per request.
    assert.deepEqual(targets[1]!.config, targets[0]!.config);
    assert.deepEqual(targets[1]!.generate, { useAdapter: false });
    assert.equal(targets[0]!.generate, undefined);
    const overridden = await listTargets(env({ workerModel: '/models/llava' }), [{ kind: 'checkpoint', path, runName: 'lora-r64', hasAdapter: true }]);
    assert.equal((overridden.targets[0]!.config as { model: string }).model, '/models/llava');
  });

  it('a checkpoint without adapter but with an ONNX export runs in-process', async () => {
    const path = join(tree.root, 'run/checkpoint-9');
    cpSync(TINY_LLAVA, path, { recursive: true });
    const { targets } = await listTargets(env({}), [{ kind: 'checkpoint', path, runName: 'full-ft', hasAdapter: false }]);
    assert.deepEqual(targets.map((t) => [t.info.id, t.info.kind, t.config?.kind]), [[`checkpoint:${path}`, 'onnx', 'onnx']]);
  });

  it('an adapter without any base model is listed with the reason', async () => {
    const path = join(tree.root, 'run/checkpoint-1');
    mkdirSync(path, { recursive: true });
    const { targets } = await listTargets(env({}), [{ kind: 'checkpoint', path, runName: 'r', hasAdapter: true }]);
    assert.match(targets[0]!.info.problem ?? '', /no base model for the LoRA checkpoint .*checkpoint-1: set llavaStudio\.chat\.workerModel/);
  });

  describe('projector-only and full checkpoints', () => {
    const runJson = (model: string) => JSON.stringify({ version: 1, name: 'proj', status: 'finished', config: { model, method: 'projector', dataset: { path: 'd.jsonl' } } });
    const worker = (model: string, adapter?: string) => ({ kind: 'worker', python: 'python3', model, ...(adapter ? { adapter } : {}), env: { PYTHONPATH: `${join(tree.root, 'ext/native-bin')}${delimiter}/site` } });

    const cases: [string, Record<string, string>, string, boolean, string | { inTree: string }][] = [
      // name, files, checkpoint (relative), hasAdapter flag from the caller, expected base model (a Hub id, or a folder in the tree)
      ['a projector checkpoint: base from run.json beside it (a Hub id)', { 'run/run.json': runJson('llava-hf/llava-1.5-7b-hf'), 'run/checkpoint-4/projector.safetensors': 'x' }, 'run/checkpoint-4', false, 'llava-hf/llava-1.5-7b-hf'],
      ['final/ of a projector run, flagged as an adapter by the caller', { 'run/run.json': runJson('llava-hf/llava-1.5-7b-hf'), 'run/final/projector.safetensors': 'x' }, 'run/final', true, 'llava-hf/llava-1.5-7b-hf'],
      ['run.json two levels up, its relative model folder resolved against it', { 'run/run.json': runJson('../models/tiny'), 'models/tiny/config.json': '{}', 'run/checkpoints/checkpoint-2/projector.safetensors': 'x' }, 'run/checkpoints/checkpoint-2', false, { inTree: 'models/tiny' }],
      ['a LoRA adapter whose adapter_config.json names no base', { 'run/run.json': runJson('/abs/base'), 'run/checkpoint-3/adapter_config.json': '{"r": 8}' }, 'run/checkpoint-3', true, '/abs/base'],
    ];
    for (const [name, files, rel, hasAdapter, base] of cases) {
      it(name, async () => {
        tree.remove();
        tree = makeTree({ ...files, 'ext/native-bin/': '' });
        const path = join(tree.root, rel);
        const expectedBase = typeof base === 'string' ? base : join(tree.root, base.inTree);
        const { targets } = await listTargets(env({}), [{ kind: 'checkpoint', path, runName: 'proj', hasAdapter }]);
        assert.equal(targets[0]!.info.problem, null);
        assert.deepEqual(targets[0]!.config, worker(expectedBase, path), 'the base model, with the checkpoint as --adapter');
        assert.equal(targets[1]!.info.id, `worker-base:${expectedBase}`);
      });
    }

    it('the base of a projector checkpoint gets its own worker (a projector cannot be switched off per request)', async () => {
      tree.remove();
      tree = makeTree({ 'run/run.json': runJson('llava-hf/llava-1.5-7b-hf'), 'run/checkpoint-4/projector.safetensors': 'x', 'ext/native-bin/': '' });
      const path = join(tree.root, 'run/checkpoint-4');
      const { targets } = await listTargets(env({}), [{ kind: 'checkpoint', path, runName: 'proj', hasAdapter: false }]);
      assert.deepEqual(targets.map((t) => t.info.label), ['proj/checkpoint-4 (projector)', 'llava-1.5-7b-hf (base)']);
      assert.deepEqual(targets[1]!.config, worker('llava-hf/llava-1.5-7b-hf'));
      assert.equal(targets[1]!.generate, undefined);
    });

    it('a projector checkpoint without any run.json says what to set', async () => {
      tree.remove();
      tree = makeTree({ 'x/checkpoint-4/projector.safetensors': 'x', 'ext/native-bin/': '' });
      const { targets } = await listTargets(env({}), [{ kind: 'checkpoint', path: join(tree.root, 'x/checkpoint-4'), runName: 'p', hasAdapter: false }]);
      assert.match(targets[0]!.info.problem ?? '', /no base model for the projector checkpoint .*checkpoint-4: set llavaStudio\.chat\.workerModel/);
    });

    it('a full model checkpoint without ONNX export is loaded as the worker\'s model', async () => {
      tree.remove();
      tree = makeTree({ 'run/run.json': runJson('llava-hf/llava-1.5-7b-hf'), 'run/checkpoint-7/config.json': '{}', 'ext/native-bin/': '' });
      const path = join(tree.root, 'run/checkpoint-7');
      const { targets } = await listTargets(env({}), [{ kind: 'checkpoint', path, runName: 'full', hasAdapter: false }]);
      assert.deepEqual(targets.map((t) => [t.info.label, t.config]), [['full/checkpoint-7', worker(path)]]);
    });
  });
});
