/**
 * How many sequence positions one image takes in training, read from the model folder the way the
 * Python trainer's processor computes it: LlavaProcessor expands `<image>` to
 * (H/patch)·(W/patch) + num_additional_image_tokens, minus 1 for the "default" feature strategy
 * (LLaVA-1.5: (336/14)² + 1 − 1 = 576). `image_seq_length` wins where a model declares it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_IMAGE_TOKENS = 576;

export interface ImageTokenInfo {
  tokens: number;
  /** Where the number came from, for messages. */
  basis: string;
}

function readJson(path: string): Record<string, unknown> | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null);
const sub = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' ? value as Record<string, unknown> : {});

export function imageTokensFor(modelDir: string | undefined): ImageTokenInfo {
  const fallback: ImageTokenInfo = {
    tokens: DEFAULT_IMAGE_TOKENS,
    basis: `${DEFAULT_IMAGE_TOKENS} per image assumed (LLaVA-1.5's (336/14)²; pass --model for the model's own count)`,
  };
  if (!modelDir) return fallback;
  const config = readJson(join(modelDir, 'config.json'));
  const processor = readJson(join(modelDir, 'processor_config.json')) ?? {};
  const preprocessor = readJson(join(modelDir, 'preprocessor_config.json')) ?? {};
  if (!config) return { ...fallback, basis: `${DEFAULT_IMAGE_TOKENS} per image assumed (no config.json in ${modelDir})` };
  const declared = num(config.image_seq_length) ?? num(processor.image_seq_length) ?? num(processor.image_seq_len);
  if (declared) return { tokens: declared, basis: `${declared} per image (image_seq_length in ${modelDir})` };
  const vision = sub(config.vision_config);
  const patch = num(processor.patch_size) ?? num(vision.patch_size);
  const crop = sub(preprocessor.crop_size);
  const height = num(crop.height) ?? num(vision.image_size);
  const width = num(crop.width) ?? num(vision.image_size);
  if (!patch || !height || !width) {
    return { ...fallback, basis: `${DEFAULT_IMAGE_TOKENS} per image assumed (${modelDir} has no vision image_size/patch_size)` };
  }
  const patches = Math.floor(height / patch) * Math.floor(width / patch);
  const additional = typeof processor.num_additional_image_tokens === 'number' ? processor.num_additional_image_tokens : null;
  const strategy = processor.vision_feature_select_strategy ?? config.vision_feature_select_strategy;
  if (additional === null) {
    return { tokens: patches, basis: `${patches} per image ((${height}/${patch})·(${width}/${patch}) patches, from ${modelDir})` };
  }
  const tokens = patches + additional - (strategy === 'default' ? 1 : 0);
  const strategyNote = strategy === 'default' ? ' − 1 for the "default" feature strategy' : '';
  return { tokens, basis: `${tokens} per image ((${height}/${patch})·(${width}/${patch}) + ${additional} additional${strategyNote}, as LlavaProcessor counts; from ${modelDir})` };
}
