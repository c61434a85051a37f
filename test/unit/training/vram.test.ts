import assert from 'node:assert/strict';
import { completeConfig } from '../../../src/core/training/config';
import { checkFit } from '../../../src/core/training/fit';
import { architectureFromConfig } from '../../../src/core/training/modelArch';
import { countParams, linearModules, loraParams } from '../../../src/core/training/paramCount';
import { ALL_LINEAR_TARGETS, findPreset } from '../../../src/core/training/presets';
import { LANGUAGE_MODEL_TARGETS, type TrainConfig } from '../../../src/core/training/schema';
import { estimateReport, estimateVram, mibToBytes, NF4_BYTES_PER_PARAM } from '../../../src/core/training/vram';
import { llava15_7b, llava16_mistral_7b, qwen2vl_2b, smolvlm_256m } from './modelConfigs';

const GB = 1e9;
const near = (actual: number, expected: number, tolerance: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} not within ${tolerance} of ${expected}`);
const config = (fields: Partial<TrainConfig> = {}): TrainConfig =>
  completeConfig({ model: 'm/m', dataset: { path: 'd.json' }, output_dir: 'out', method: 'lora', ...fields });

describe('parameter counts from config.json alone', () => {
  // Published totals of these models (Hub model pages / papers).
  const table = [
    { name: 'LLaVA-1.5-7B', json: llava15_7b, total: 7.06e9, vision: 0.3035e9, projector: 20.98e6, imageTokens: [576, 576] },
    { name: 'LLaVA-1.6-Mistral-7B', json: llava16_mistral_7b, total: 7.57e9, vision: 0.3035e9, projector: 20.98e6, imageTokens: [576, 2928] },
    { name: 'Qwen2-VL-2B', json: qwen2vl_2b, total: 2.21e9, vision: 0.631e9, projector: 34.1e6, imageTokens: [null, null] },
    { name: 'SmolVLM-256M', json: smolvlm_256m, total: 0.2565e9, vision: 0.0864e9, projector: 7.08e6, imageTokens: [64, null] },
  ];
  for (const row of table) {
    it(`${row.name}: ${row.total / 1e9} B parameters, ${row.imageTokens[0] ?? 'dynamic'} image tokens`, () => {
      const arch = architectureFromConfig(row.json);
      const counts = countParams(arch);
      near(counts.total, row.total, row.total * 0.005, 'total');
      near(counts.vision, row.vision, row.vision * 0.01, 'vision tower');
      near(counts.projector, row.projector, row.projector * 0.01, 'projector');
      assert.deepEqual([arch.imageTokens.perImage, arch.imageTokens.max], row.imageTokens);
    });
  }

  it('LoRA r=128 on the language model of LLaVA-1.5-7B: 32 layers × 7 projections, ≈ 320 M adapter parameters, none on the vision tower', () => {
    const modules = linearModules(architectureFromConfig(llava15_7b));
    const lm = loraParams(modules, LANGUAGE_MODEL_TARGETS, 128);
    assert.equal(lm.modules.length, 32 * 7);
    assert.equal(lm.params, 128 * 32 * (4 * (4096 + 4096) + 3 * (4096 + 11008)));
    assert.ok(lm.modules.every((m) => m.part === 'language'));
    const all = loraParams(modules, ALL_LINEAR_TARGETS, 128);
    assert.equal(all.modules.filter((m) => m.part === 'vision').length, 24 * 6, 'all-linear reaches the CLIP tower');
    assert.equal(all.modules.some((m) => m.name === 'lm_head'), false);
  });
});

describe('VRAM estimate', () => {
  const llava = architectureFromConfig(llava15_7b);

  it('known figures: LLaVA-1.5-7B bf16 weights ≈ 14 GB, QLoRA weights 4–5 GB with the CLIP tower kept in bf16', () => {
    near(estimateVram(llava, config({ method: 'lora' })).parts.weights, 14.1 * GB, 0.2 * GB, 'bf16 weights');
    const qlora = estimateVram(llava, config({ method: 'qlora' }));
    const q = qlora.parts.weights;
    assert.ok(q > 4 * GB && q < 5 * GB, `qlora weights ${q / GB} GB`);
    // What the worker runs (model_setup.prepare_kbit): NF4 linears, the LM's 65 norms in fp32, everything else bf16.
    const counts = countParams(llava);
    const nf4 = qlora.params.quantized * NF4_BYTES_PER_PARAM;
    const norms = (32 * 2 + 1) * 4096;
    near(q, nf4 + norms * 4 + (counts.total - qlora.params.quantized - norms) * 2, 1e6, 'qlora weights');
    // peft's prepare_model_for_kbit_training would have put every non-4-bit weight in fp32: ≈ 1.2 GB more.
    near((counts.total - qlora.params.quantized - norms) * 2, 1.2 * GB, 0.1 * GB, 'what keeping CLIP, embeddings, lm_head and projector in bf16 saves');
    assert.ok(qlora.notes.some((n) => /in bf16, only the language model's norms in fp32/.test(n)));
    near(estimateVram(llava, config({ method: 'projector' })).parts.lora, 0, 0, 'no adapters for projector-only');
  });

  const scaling = [
    { what: 'doubling the batch doubles the activations', a: { per_device_batch: 2 }, b: { per_device_batch: 4 }, ratio: [1.95, 2.05] },
    { what: 'doubling max_length doubles them (SDPA: no s² term)', a: { max_length: 1024 }, b: { max_length: 2048 }, ratio: [1.95, 2.05] },
    { what: 'gradient checkpointing cuts them several-fold', a: { gradient_checkpointing: true }, b: { gradient_checkpointing: false }, ratio: [4, 20] },
  ];
  for (const { what, a, b, ratio } of scaling) {
    it(what, () => {
      const r = estimateVram(llava, config(b)).parts.activations / estimateVram(llava, config(a)).parts.activations;
      assert.ok(r >= ratio[0]! && r <= ratio[1]!, `ratio ${r}`);
    });
  }

  it('trainable weights in fp32 (their own master copy): 4 B weight + 4 B gradient + 8 B AdamW m/v each', () => {
    const e = estimateVram(llava, config({ lora: { r: 128, alpha: 256, dropout: 0.05, target_regex: LANGUAGE_MODEL_TARGETS } }));
    const adapters = 128 * 32 * (4 * 8192 + 3 * 15104);
    const projector = countParams(llava).projector;
    assert.equal(e.params.trainable, adapters + projector);
    assert.equal(e.parts.lora, (adapters + projector) * 4, 'adapters + the modules_to_save copy of the projector');
    assert.equal(e.parts.optimizer, (adapters + projector) * 8);
    assert.equal(e.parts.gradients, (adapters + projector) * 4);
  });

  it('the report: decimal GB under the contract keys', () => {
    const report = estimateReport(estimateVram(llava, config()));
    assert.deepEqual(Object.keys(report.parts), ['weights', 'lora', 'optimizer', 'gradients', 'activations', 'overhead']);
    const sum = Object.values(report.parts).reduce((x, y) => x + y, 0);
    near(report.total_gb, sum, 0.03, 'total = sum of parts');
  });

  it('the "small GPU 12 GB" preset fits LLaVA-1.5-7B in a 12 GB card; the LLaVA LoRA preset does not, and the suggestions do', () => {
    const preset = (name: string): TrainConfig => config({ ...findPreset(name).fields } as Partial<TrainConfig>);
    const card = mibToBytes(12 * 1024) - 0.3 * GB; // a 12 GB card with the desktop using a little
    assert.equal(checkFit(llava, preset('small-gpu-12gb'), card).fits, true);
    const fit = checkFit(llava, { ...preset('llava-lora'), gradient_checkpointing: false }, mibToBytes(24 * 1024));
    assert.equal(fit.fits, false);
    assert.ok(fit.suggestions.length > 0);
    for (const s of fit.suggestions) assert.ok(s.estimate.total <= fit.budget);
    assert.equal(fit.suggestions[0]!.changes.gradient_checkpointing, true, 'the cheapest change comes first');
    const effective = (c: { per_device_batch?: number; grad_accum?: number }): number => (c.per_device_batch ?? 16) * (c.grad_accum ?? 1);
    for (const s of fit.suggestions) assert.ok(effective(s.changes) >= 16, 'a smaller batch keeps the effective batch');
  });

  it('nothing fits a tiny budget: no suggestions rather than wrong ones', () => {
    assert.deepEqual(checkFit(llava, config(), mibToBytes(2048)).suggestions, []);
  });
});
