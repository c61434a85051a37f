import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { completeConfig, ConfigError, validateConfig } from '../../../src/core/training/config';
import { PRESETS } from '../../../src/core/training/presets';
import { LANGUAGE_MODEL_TARGETS, trainConfigSchema, trainSchemaJsonText } from '../../../src/core/training/schema';

const ROOT = resolve(__dirname, '../../..');
const PUBLISHED = join(ROOT, 'media/llava-studio.train.schema.json');
const WORKER_CONFIG = join(ROOT, 'native-bin/llava_studio_worker/config.py');
const base = { model: 'llava-hf/llava-1.5-7b-hf', dataset: { path: 'data/train.json' }, output_dir: 'runs/a', method: 'lora' };

describe('training config schema', () => {
  it(`the published ${'media/llava-studio.train.schema.json'} is current (LLAVA_STUDIO_WRITE_SCHEMA=1 rewrites it)`, () => {
    if (process.env.LLAVA_STUDIO_WRITE_SCHEMA === '1') writeFileSync(PUBLISHED, trainSchemaJsonText());
    assert.ok(existsSync(PUBLISHED), `${PUBLISHED} is missing: run LLAVA_STUDIO_WRITE_SCHEMA=1 npx mocha test/unit/training/schema.test.ts`);
    assert.equal(readFileSync(PUBLISHED, 'utf8'), trainSchemaJsonText(), 'stale: run LLAVA_STUDIO_WRITE_SCHEMA=1 npx mocha test/unit/training/schema.test.ts');
  });

  for (const preset of PRESETS) {
    it(`preset ${preset.name} validates and completes`, () => {
      const draft = { ...base, ...preset.fields };
      assert.deepEqual(validateConfig(draft), []);
      const config = completeConfig(draft);
      for (const [key, value] of Object.entries(preset.fields)) assert.deepEqual(config[key as keyof typeof config], value, key);
    });
  }

  it('the seed-notebook preset says what it gets wrong', () => {
    const seed = PRESETS.find((p) => p.name === 'seed-notebook')!;
    for (const problem of [/prompt/, /576 image/, /fp16/, /all-linear.*vision tower/, /1\.4e-5.*2e-4/, /fp4 without double quant/]) assert.match(seed.description, problem);
  });

  it('defaults follow the method, as the worker fills them', () => {
    assert.deepEqual(completeConfig(base).lora, { r: 128, alpha: 256, dropout: 0.05, target_regex: LANGUAGE_MODEL_TARGETS });
    assert.deepEqual(completeConfig({ ...base, method: 'qlora', lora: { r: 32 } }).lora, { r: 32, alpha: 16, dropout: 0.05, target_regex: LANGUAGE_MODEL_TARGETS });
    assert.equal(completeConfig({ ...base, method: 'projector' }).projector_lr, 1e-3);
    assert.equal(completeConfig(base).projector_lr, 2e-5);
    assert.equal(completeConfig({ ...base, max_steps: -1 }).max_steps, null);
    assert.deepEqual(Object.keys(completeConfig(base)), Object.keys(trainConfigSchema.properties).filter((k) => k !== '$schema'), 'every field, in schema order');
  });

  const bad: { name: string; patch: Record<string, unknown>; field: string; message: RegExp }[] = [
    { name: 'unknown method', patch: { method: 'full' }, field: 'method', message: /must be one of lora, qlora, projector \(got "full"\)/ },
    { name: 'misspelt field', patch: { learning_rate: 1e-4 }, field: 'learning_rate', message: /not a known field/ },
    { name: 'missing model', patch: { model: undefined }, field: 'model', message: /is required/ },
    { name: 'missing dataset path', patch: { dataset: {} }, field: 'dataset.path', message: /is required/ },
    { name: 'rank 0', patch: { lora: { r: 0 } }, field: 'lora.r', message: /must be >= 1 \(got 0\)/ },
    { name: 'fractional rank', patch: { lora: { r: 8.5 } }, field: 'lora.r', message: /must be integer/ },
    { name: 'broken regex', patch: { lora: { target_regex: '(q_proj' } }, field: 'lora.target_regex', message: /valid regular expression/ },
    { name: 'negative lr', patch: { lr: -1 }, field: 'lr', message: /must be > 0/ },
    { name: 'max_steps 0', patch: { max_steps: 0 }, field: 'max_steps', message: /must not be 0/ },
    { name: 'warmup too long', patch: { warmup_ratio: 0.9 }, field: 'warmup_ratio', message: /must be <= 0\.5/ },
    { name: 'unknown scheduler', patch: { scheduler: 'onecycle' }, field: 'scheduler', message: /must be one of cosine/ },
    { name: 'unknown format', patch: { dataset: { path: 'x', format: 'csv' } }, field: 'dataset.format', message: /must be one of auto, llava-json/ },
    { name: 'eval file and ratio', patch: { dataset: { path: 'x', eval_path: 'e.json', eval_ratio: 0.1 } }, field: 'dataset.eval_ratio', message: /must be 0 when eval_path is given \(got 0\.1\)/ },
    { name: 'push without namespace', patch: { push: { repo_id: 'adapter' } }, field: 'push.repo_id', message: /namespace\/name \(got "adapter"\)/ },
    { name: 'string batch', patch: { per_device_batch: '4' }, field: 'per_device_batch', message: /must be integer \(got "4"\)/ },
  ];
  for (const { name, patch, field, message } of bad) {
    it(`rejects ${name}, naming ${field}`, () => {
      const draft = JSON.parse(JSON.stringify({ ...base, ...patch })) as unknown;
      const issues = validateConfig(draft);
      const issue = issues.find((i) => i.field === field);
      assert.ok(issue, `no issue for ${field}: ${JSON.stringify(issues)}`);
      assert.match(issue.message, message);
      assert.throws(() => completeConfig(draft, 'a.train.json'), (e: Error) => e instanceof ConfigError && e.message.startsWith(`a.train.json: `) && e.message.includes(field));
    });
  }

  describe('in sync with the Python worker (native-bin/llava_studio_worker/config.py)', () => {
    const python = '/usr/bin/python3';
    before(function () {
      if (!existsSync(WORKER_CONFIG) || !existsSync(python)) {
        this.test!.parent!.title += ` (skipped: ${existsSync(WORKER_CONFIG) ? python : WORKER_CONFIG} does not exist)`;
        this.skip();
      }
    });

    it('the worker accepts every preset\'s complete config, field for field', () => {
      const configs = PRESETS.map((p) => completeConfig({ ...base, ...p.fields, push: { repo_id: 'me/adapter', private: true } }));
      const script = 'import json,sys; from llava_studio_worker.config import TrainConfig\n'
        + 'for raw in json.load(sys.stdin):\n    c = TrainConfig.from_dict(raw).to_dict()\n'
        + '    print(json.dumps({k: c[k] for k in raw}))';
      const out = execFileSync(python, ['-c', script], { input: JSON.stringify(configs), env: { ...process.env, PYTHONPATH: join(ROOT, 'native-bin') }, encoding: 'utf8' });
      const parsed = out.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      parsed.forEach((worker, i) => {
        const ours = configs[i]!;
        // The worker writes "no max_steps" as -1 where the schema says null.
        assert.deepEqual({ ...worker, max_steps: worker.max_steps === -1 ? null : worker.max_steps }, ours, PRESETS[i]!.name);
      });
    });

    it('the schema\'s fields, methods, formats and schedulers are the worker\'s', () => {
      const text = readFileSync(WORKER_CONFIG, 'utf8');
      const tuple = (name: string): string[] => [...(new RegExp(`^${name} = \\(([^)]*)\\)`, 'm').exec(text)?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
      const dataclassFields = (name: string): string[] => {
        const body = new RegExp(`^class ${name}:\\n([\\s\\S]*?)\\n\\n    def `, 'm').exec(text)?.[1] ?? '';
        return [...body.matchAll(/^ {4}(\w+): /gm)].map((m) => m[1]!);
      };
      const props = trainConfigSchema.properties;
      assert.deepEqual(dataclassFields('TrainConfig').sort(), Object.keys(props).filter((k) => k !== '$schema').sort());
      assert.deepEqual(dataclassFields('DatasetSettings').sort(), Object.keys(props.dataset.properties).sort());
      assert.deepEqual(dataclassFields('LoraSettings').sort(), Object.keys(props.lora.properties).sort());
      assert.deepEqual(dataclassFields('PushSettings').sort(), Object.keys(props.push.properties).sort());
      assert.deepEqual(tuple('METHODS'), [...props.method.enum]);
      assert.deepEqual(tuple('FORMATS').sort(), [...props.dataset.properties.format.enum].sort());
      assert.deepEqual(tuple('SCHEDULERS'), [...props.scheduler.enum]);
    });
  });
});
