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
    assert.match(targets[0]!.info.problem ?? '', /no base model for the adapter.*set llavaStudio\.chat\.workerModel/);
  });
});
