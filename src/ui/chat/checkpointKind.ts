/**
 * What a training checkpoint folder holds, judged by its files (a caller's `hasAdapter` flag can be
 * wrong: a projector-only run's final/ has no adapter), and which base model it was trained on.
 * The worker's `--adapter` takes both kinds (serve_model.py `_attach`): a PEFT adapter
 * (adapter_config.json) or the projector weights a projector-only run saves (projector.safetensors,
 * trainer_setup.py PROJECTOR_FILE). Anything else is a full model folder.
 */
import { access, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export type CheckpointKind = 'lora' | 'projector' | 'full';

export const ADAPTER_CONFIG = 'adapter_config.json';
export const PROJECTOR_FILE = 'projector.safetensors';

const exists = (path: string) => access(path).then(() => true, () => false);

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

const field = (value: unknown, key: string): unknown => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined);

export async function checkpointKind(dir: string, hasAdapter: boolean): Promise<CheckpointKind> {
  if (await exists(join(dir, ADAPTER_CONFIG))) return 'lora';
  if (await exists(join(dir, PROJECTOR_FILE))) return 'projector';
  return hasAdapter ? 'lora' : 'full';
}

/**
 * `config.model` of the run.json in the checkpoint's run folder (its parent, or its parent's parent),
 * resolved as the worker resolves it (config.py parse_run_file): a path relative to the run folder
 * becomes absolute, a Hub id stays as it is. '' when there is none.
 */
export async function runJsonModel(checkpointDir: string): Promise<string> {
  for (const runDir of [dirname(checkpointDir), dirname(dirname(checkpointDir))]) {
    const model = field(field(await readJson(join(runDir, 'run.json')), 'config'), 'model');
    if (typeof model !== 'string' || !model.trim()) continue;
    const value = model.trim();
    const expanded = value === '~' || value.startsWith('~/') ? join(homedir(), value.slice(1)) : value;
    if (isAbsolute(expanded)) return expanded;
    const local = resolve(runDir, expanded);
    return value.startsWith('.') || await exists(local) ? local : value;
  }
  return '';
}

/**
 * The base model to load under a LoRA adapter or projector: the `llavaStudio.chat.workerModel`
 * setting, else what adapter_config.json names, else the run's run.json `config.model`.
 */
export async function checkpointBaseModel(dir: string, setting: string): Promise<string> {
  if (setting.trim()) return setting.trim();
  const named = field(await readJson(join(dir, ADAPTER_CONFIG)), 'base_model_name_or_path');
  if (typeof named === 'string' && named.trim()) return named.trim();
  return runJsonModel(dir);
}
