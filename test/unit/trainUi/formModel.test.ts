import assert from 'node:assert/strict';
import { completeConfig } from '../../../src/core/training/config';
import { PRESETS } from '../../../src/core/training/presets';
import type { DraftField, TrainDraft } from '../../../src/protocol/train';
import { DRAFT_FIELDS } from '../../../src/protocol/train';
import {
  applyPreset, applySuggestion, completeDraft, draftFromConfig, draftIssues, FIELD_OF_PATH, fieldInfo, initialDraft, rawConfigOf, runFolderName,
} from '../../../src/ui/training/formModel';

const filled = (preset: string | null = 'llava-lora', edits: Partial<TrainDraft> = {}): TrainDraft => ({
  ...initialDraft(preset, 'runs/a'), model: 'llava-hf/llava-1.5-7b-hf', datasetPath: 'data/train.json', ...edits,
});

describe('fine-tune form ↔ config', () => {
  for (const preset of [null, ...PRESETS.map((p) => p.name)]) {
    it(`the starting form for ${preset ?? 'no preset'} is the preset over the schema defaults, nothing chosen yet`, () => {
      const draft = initialDraft(preset, 'runs/a');
      assert.equal(draft.model, '');
      assert.equal(draft.datasetPath, '');
      const config = completeDraft({ ...draft, model: 'm/x', datasetPath: 'd.json' });
      const expected = completeConfig({ model: 'm/x', dataset: { path: 'd.json' }, output_dir: 'runs/a', method: 'lora', ...(PRESETS.find((p) => p.name === preset)?.fields ?? {}) });
      assert.deepEqual(config, expected);
    });

    it(`config → form → config is the identity (${preset ?? 'no preset'})`, () => {
      const config = completeConfig({
        model: './models/llava', dataset: { path: 'a.jsonl', eval_path: 'b.jsonl', images_dir: 'img' }, output_dir: 'runs/x', method: 'lora',
        ...(PRESETS.find((p) => p.name === preset)?.fields ?? {}), max_steps: 500, save_total_limit: null, push: { repo_id: 'me/x', private: false },
      });
      assert.deepEqual(completeConfig(rawConfigOf(draftFromConfig(config, initialDraft(null, 'o')))), config);
    });
  }

  const cases: { name: string; edits: Partial<TrainDraft>; field: DraftField; message: RegExp }[] = [
    { name: 'a learning rate that is not a number', edits: { lr: 'abc' }, field: 'lr', message: /must be number \(got "abc"\)/ },
    { name: 'a batch of 0', edits: { perDeviceBatch: '0' }, field: 'perDeviceBatch', message: /must be ≥ 1 \(got 0\)/ },
    { name: 'a fractional batch', edits: { perDeviceBatch: '2.5' }, field: 'perDeviceBatch', message: /integer/ },
    { name: 'too much dropout', edits: { loraDropout: '0.95' }, field: 'loraDropout', message: /≤ 0\.9/ },
    { name: 'a LoRA rank over 1024', edits: { loraR: '2048' }, field: 'loraR', message: /≤ 1024/ },
    { name: 'a broken target regex', edits: { loraTargets: '(q_proj' }, field: 'loraTargets', message: /regular expression/ },
    { name: 'an unknown scheduler', edits: { scheduler: 'sawtooth' }, field: 'scheduler', message: /one of cosine/ },
    { name: 'no model', edits: { model: '  ' }, field: 'model', message: /is required/ },
    { name: 'no dataset', edits: { datasetPath: '' }, field: 'datasetPath', message: /is required/ },
    { name: 'no output folder', edits: { outputDir: '' }, field: 'outputDir', message: /is required/ },
    { name: 'max steps 0', edits: { stepsMode: 'max_steps', maxSteps: '0' }, field: 'maxSteps', message: /must not be 0/ },
    { name: 'max steps left empty', edits: { stepsMode: 'max_steps', maxSteps: '' }, field: 'maxSteps', message: /is required/ },
    { name: 'a held-out share over 0.5', edits: { evalMode: 'ratio', evalRatio: '0.7' }, field: 'evalRatio', message: /≤ 0\.5/ },
    { name: 'a held-out share of 0', edits: { evalMode: 'ratio', evalRatio: '0' }, field: 'evalRatio', message: /above 0/ },
    { name: 'an eval file not chosen', edits: { evalMode: 'file', evalPath: '' }, field: 'evalPath', message: /choose the evaluation file/ },
    { name: 'a repo id without a namespace', edits: { pushEnabled: true, pushRepoId: 'just-a-name' }, field: 'pushRepoId', message: /namespace\/name/ },
    { name: 'push without a repo id', edits: { pushEnabled: true, pushRepoId: '' }, field: 'pushRepoId', message: /is required/ },
    { name: 'a negative warmup', edits: { warmupRatio: '-0.1' }, field: 'warmupRatio', message: /≥ 0/ },
    { name: 'eval every 0 steps', edits: { evalSteps: '0' }, field: 'evalSteps', message: /≥ 1/ },
    { name: 'max length below 32', edits: { maxLength: '16' }, field: 'maxLength', message: /≥ 32/ },
  ];
  for (const c of cases) {
    it(`marks ${c.field} for ${c.name}`, () => {
      const issues = draftIssues(filled('llava-lora', c.edits));
      const mine = issues.filter((i) => i.field === c.field);
      assert.ok(mine.some((i) => c.message.test(i.message)), `${c.field}: ${JSON.stringify(issues)}`);
      assert.ok(issues.every((i) => i.field !== ''), `every issue has a field: ${JSON.stringify(issues)}`);
    });
  }

  it('a filled-in form with every preset has no issues; empty optional fields mean the defaults', () => {
    for (const preset of PRESETS) assert.deepEqual(draftIssues(filled(preset.name)), [], preset.name);
    const config = completeDraft(filled('llava-lora', { lr: '', projectorLr: '', evalSteps: '', saveTotalLimit: '' }));
    assert.equal(config.lr, 2e-4);
    assert.equal(config.projector_lr, 2e-5);
    assert.equal(config.eval_steps, null);
    assert.equal(config.save_total_limit, null);
    assert.equal(completeDraft(filled('llava-lora', { method: 'projector', projectorLr: '' })).projector_lr, 1e-3);
  });

  it('epochs or max steps, never both; eval file or held-out share, never both', () => {
    const steps = completeDraft(filled('llava-lora', { stepsMode: 'max_steps', maxSteps: '300', epochs: '7' }));
    assert.equal(steps.max_steps, 300);
    assert.equal(steps.epochs, 1, 'epochs is left at its default when steps are chosen');
    assert.equal(completeDraft(filled('llava-lora', { stepsMode: 'epochs', maxSteps: '300', epochs: '3' })).max_steps, null);
    const file = completeDraft(filled('llava-lora', { evalMode: 'file', evalPath: 'e.json', evalRatio: '0.2' }));
    assert.deepEqual([file.dataset.eval_path, file.dataset.eval_ratio], ['e.json', 0]);
    const ratio = completeDraft(filled('llava-lora', { evalMode: 'ratio', evalPath: 'e.json', evalRatio: '0.2' }));
    assert.deepEqual([ratio.dataset.eval_path, ratio.dataset.eval_ratio], [null, 0.2]);
  });

  it('a preset replaces what it names and keeps the model, data, output, push and evaluation', () => {
    const before = filled(null, { pushEnabled: true, pushRepoId: 'me/x', evalMode: 'ratio', evalRatio: '0.1', outputDir: 'runs/mine' });
    const after = applyPreset(before, 'small-gpu-12gb');
    assert.deepEqual([after.preset, after.method, after.loraR, after.loraAlpha, after.perDeviceBatch, after.gradAccum, after.maxLength], ['small-gpu-12gb', 'qlora', '16', '32', '1', '16', '1536']);
    for (const key of ['model', 'datasetPath', 'outputDir', 'pushEnabled', 'pushRepoId', 'evalMode', 'evalRatio'] as const) assert.equal(after[key], before[key], key);
    assert.throws(() => applyPreset(before, 'nope'), /unknown preset 'nope'/);
  });

  it('a "would fit" suggestion sets exactly the fields it changes', () => {
    const before = filled('llava-lora');
    const after = applySuggestion(before, { per_device_batch: 4, grad_accum: 4, method: 'qlora' });
    assert.deepEqual({ ...after, perDeviceBatch: before.perDeviceBatch, gradAccum: before.gradAccum, method: before.method }, before);
    assert.deepEqual([after.perDeviceBatch, after.gradAccum, after.method], ['4', '4', 'qlora']);
    assert.equal(applySuggestion({ ...before, gradientCheckpointing: false }, { gradient_checkpointing: true }).gradientCheckpointing, true);
  });

  it('every mapped field has a label and the schema\'s own description', () => {
    const info = fieldInfo();
    for (const field of new Set(Object.values(FIELD_OF_PATH))) {
      assert.ok(info[field]?.label, `${field} label`);
      assert.ok(info[field]!.help.length >= 10, `${field} help`);
      assert.ok(DRAFT_FIELDS.includes(field), field);
    }
    assert.match(info.loraR!.help, /LoRA rank/);
    assert.match(info.datasetPath!.help, /Training file or folder/);
  });

  it('names run folders after the model and method', () => {
    const at = new Date(2025, 5, 12, 9, 5);
    assert.equal(runFolderName('llava-hf/llava-1.5-7b-hf', 'lora', at), 'llava-1.5-7b-hf-lora-0612-0905');
    assert.equal(runFolderName('/models/My Model (v2)/', 'qlora', at), 'My-Model-v2--qlora-0612-0905');
    assert.equal(runFolderName('', '', at), 'finetune-lora-0612-0905');
  });
});
