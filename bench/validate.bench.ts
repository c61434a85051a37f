// Validation throughput on a generated LLaVA-mix-shaped JSON (≈ 170k rows, 256 MB) whose rows share
// 64 real JPEG files (as COCO rows share images): every row parsed, normalized and checked, every
// distinct image fully decoded once. `tokenized_rows_per_s` counts tokens with a real tokenizer and
// chat template (the tiny LLaVA fixture's byte-level BPE) instead of the estimate.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openDataset } from '../src/core/datasets/openDataset';
import { validateDataset } from '../src/core/datasets/validate/validateDataset';
import { noisyJpeg } from '../test/fixtures/datasets/badCorpus';
import { writeLlavaJson } from '../test/fixtures/datasets/llavaCorpus';

const SHAPE_VERSION = 2;
const DIR = path.resolve(__dirname, 'tmp', `validate-v${SHAPE_VERSION}`);
const FILE = path.join(DIR, 'llava_mix_256mb.json');
const SMALL = path.join(DIR, 'llava_mix_3mb.json');
const IMAGES = 64;
const TOKENIZER = path.resolve(__dirname, '../test/fixtures/tiny-llava/model');
const ROUNDS = 3;

async function ensureInputs(): Promise<void> {
  const folder = path.join(DIR, 'coco/train2017');
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < IMAGES; i++) {
    const file = path.join(folder, `${String(i).padStart(12, '0')}.jpg`);
    if (!existsSync(file)) writeFileSync(file, await noisyJpeg(640, 480, i + 1));
  }
  for (const [file, bytes] of [[FILE, 256 << 20], [SMALL, 3 << 20]] as const) {
    if (existsSync(file)) continue;
    writeLlavaJson(file + '.partial', bytes, { imageCount: IMAGES });
    renameSync(file + '.partial', file);
  }
}

async function validate(file: string, modelDir?: string): Promise<{ rows: number; ms: number; problems: number }> {
  const started = performance.now();
  const dataset = await openDataset(file, { imageRoot: DIR });
  const report = await validateDataset(dataset, { modelDir, maxLength: 4096 });
  await dataset.close();
  return { rows: report.rows, ms: performance.now() - started, problems: report.problems.length };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function run(): Promise<Record<string, number>> {
  await ensureInputs();
  const plain: number[] = [];
  let rows = 0;
  let problems = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const result = await validate(FILE);
    plain.push(result.rows / (result.ms / 1000));
    rows = result.rows;
    problems = result.problems;
  }
  const metrics: Record<string, number> = { rows_per_s: Math.round(median(plain)), rows, problems };
  if (existsSync(path.join(TOKENIZER, 'tokenizer.json'))) {
    const tokenized = await validate(SMALL, TOKENIZER);
    metrics.tokenized_rows_per_s = Math.round(tokenized.rows / (tokenized.ms / 1000));
    metrics.tokenized_rows = tokenized.rows;
  }
  return metrics;
}
