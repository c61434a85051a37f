import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { completeConfig } from './config';
import type { ModelArchitecture } from './modelArch';
import { linearModules, loraParams } from './paramCount';
import { findPreset } from './presets';
import type { TrainConfig, TrainMethod } from './schema';

export interface InitConfigRequest {
  /** Hub id, or a local folder (absolute or relative to the current directory). */
  model: string;
  modelIsLocal: boolean;
  /** Dataset path (absolute or relative to the current directory). */
  dataset: string;
  /** Where the config file will be written (absolute). */
  configFile: string;
  preset?: string;
  method?: TrainMethod;
  /** Run folder; default runs/<model name>-<preset or method> beside the config file. */
  outputDir?: string;
  cwd: string;
}

/** A path as the config file should hold it: relative to the file's folder, `./`-prefixed so it reads as local. */
function fromConfig(configDir: string, path: string): string {
  const rel = relative(configDir, path) || '.';
  if (isAbsolute(rel)) return rel; // another drive (Windows)
  return rel.startsWith('..') ? rel : `./${rel}`;
}

const roundUp = (n: number, step: number): number => Math.ceil(n / step) * step;

/**
 * The complete config the form starts from: preset (if any) + schema defaults, the model's image tokens
 * accounted for in max_length, paths relative to the config file. Warnings say what could not be checked.
 */
export function initialConfig(request: InitConfigRequest, arch: ModelArchitecture | null): { config: TrainConfig; warnings: string[] } {
  const configDir = dirname(request.configFile);
  const preset = request.preset ? findPreset(request.preset) : null;
  const method = request.method ?? preset?.fields.method ?? 'lora';
  const model = request.modelIsLocal ? fromConfig(configDir, resolve(request.cwd, request.model)) : request.model;
  const label = preset?.name ?? method;
  const outputDir = request.outputDir ? fromConfig(configDir, resolve(request.cwd, request.outputDir)) : `./runs/${basename(request.model)}-${label}`;
  const warnings: string[] = [];
  const draft: Record<string, unknown> = {
    model,
    dataset: { path: fromConfig(configDir, resolve(request.cwd, request.dataset)) },
    output_dir: outputDir,
    ...(preset?.fields ?? {}),
    method,
  };
  if (preset && request.method && preset.fields.lora && request.method !== preset.fields.method) {
    warnings.push(`preset ${preset.name} is for method ${preset.fields.method}; its LoRA settings are kept with method ${request.method}`);
  }
  const config = completeConfig(draft);
  if (!arch) {
    warnings.push(`could not read the model's config.json: max_length stays ${config.max_length}; make sure it covers the image tokens`);
    return { config, warnings };
  }
  const imageTokens = arch.imageTokens.max ?? arch.imageTokens.perImage;
  if (imageTokens !== null && config.max_length < imageTokens + 256) {
    const raised = roundUp(imageTokens + 512, 256);
    warnings.push(`max_length raised from ${config.max_length} to ${raised}: one image alone is up to ${imageTokens} tokens (${arch.imageTokens.note})`);
    config.max_length = raised;
  }
  if (method !== 'projector' && loraParams(linearModules(arch), config.lora.target_regex, config.lora.r).modules.length === 0) {
    warnings.push(`lora.target_regex matches no linear layer of this ${arch.modelType} model: set it to the model's module names`);
  }
  return { config, warnings };
}
