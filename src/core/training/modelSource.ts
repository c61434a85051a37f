import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { isLocalModel } from './config';
import { architectureFromConfig, type ModelArchitecture } from './modelArch';

export interface ModelConfigOptions {
  /** Folder relative model paths are resolved against. */
  baseDir?: string;
  /** Hub base URL (default https://huggingface.co); null = never go online. */
  hubUrl?: string | null;
  fetch?: typeof fetch;
  accessToken?: string;
  /** HF hub cache folder (default $HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub). */
  cacheDir?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export interface ModelConfigFound {
  config: unknown;
  /** Where config.json came from: a local folder, the HF cache, or the Hub. */
  source: 'local' | 'cache' | 'hub';
  path: string;
}

export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HF_HOME) return join(env.HF_HOME, 'hub');
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'huggingface', 'hub');
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

/** config.json of `repo` in the HF cache: the snapshot refs/main points at, else any snapshot that has one. */
async function fromCache(repo: string, cacheDir: string): Promise<string | null> {
  const root = join(cacheDir, `models--${repo.replace('/', '--')}`);
  const main = await readFile(join(root, 'refs', 'main'), 'utf8').catch(() => null);
  if (main && existsSync(join(root, 'snapshots', main.trim(), 'config.json'))) return join(root, 'snapshots', main.trim(), 'config.json');
  const snapshots = await readdir(join(root, 'snapshots')).catch(() => [] as string[]);
  const found = snapshots.map((s) => join(root, 'snapshots', s, 'config.json')).find((p) => existsSync(p));
  return found ?? null;
}

/** Finds and parses a model's config.json (local folder → HF cache → Hub). Weights are never needed. */
export async function loadModelConfig(model: string, options: ModelConfigOptions = {}): Promise<ModelConfigFound> {
  const baseDir = options.baseDir ?? process.cwd();
  if (isLocalModel(model, existsSync, baseDir)) {
    const path = join(resolve(baseDir, model.replace(/^~(?=\/|$)/, homedir())), 'config.json');
    if (!existsSync(path)) throw new Error(`no config.json in model folder ${resolve(baseDir, model)}: point model at a folder saved with save_pretrained`);
    return { config: await readJson(path), source: 'local', path };
  }
  const cached = await fromCache(model, options.cacheDir ?? hubCacheDir(options.env));
  if (cached) return { config: await readJson(cached), source: 'cache', path: cached };
  if (options.hubUrl === null) throw new Error(`config.json of ${model} is not in the Hugging Face cache and going online is off: download the model first or use a local folder`);
  const url = `${options.hubUrl ?? 'https://huggingface.co'}/${model}/resolve/main/config.json`;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      headers: options.accessToken ? { Authorization: `Bearer ${options.accessToken}` } : {},
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (error) {
    throw new Error(`cannot read config.json of ${model} (offline? ${(error as Error).message}): download the model first or use a local folder`);
  }
  if (!response.ok) throw new Error(`cannot read config.json of ${model}: the Hub answered ${response.status}${response.status === 401 || response.status === 403 ? ' (gated or private: log in with a token)' : ''}`);
  return { config: await response.json(), source: 'hub', path: url };
}

export async function loadArchitecture(model: string, options: ModelConfigOptions = {}): Promise<ModelArchitecture & { configSource: ModelConfigFound['source'] }> {
  const found = await loadModelConfig(model, options);
  try {
    return { ...architectureFromConfig(found.config), configSource: found.source };
  } catch (error) {
    throw new Error(`${found.path}: ${(error as Error).message.replace(/^config\.json: /, '')}`);
  }
}
