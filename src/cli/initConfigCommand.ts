import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isLocalModel } from '../core/training/config';
import { initialConfig } from '../core/training/initConfig';
import type { ModelArchitecture } from '../core/training/modelArch';
import { loadArchitecture } from '../core/training/modelSource';
import { PRESETS } from '../core/training/presets';
import type { TrainMethod } from '../core/training/schema';
import { UsageError, type Io } from './usageError';

export const initConfigUsage = `llava-studio init-config --model ID_OR_DIR --dataset PATH --out CONFIG.json [--preset ${PRESETS.map((p) => p.name).join('|')}] [--method lora|qlora|projector] [--output-dir DIR] [--force]`;

const METHODS = ['lora', 'qlora', 'projector'];

export async function initConfigCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      model: { type: 'string' }, dataset: { type: 'string' }, out: { type: 'string' }, preset: { type: 'string' },
      method: { type: 'string' }, 'output-dir': { type: 'string' }, force: { type: 'boolean' },
    },
  });
  if (positionals.length > 0 || !values.model || !values.dataset || !values.out) throw new UsageError(`usage: ${initConfigUsage}`);
  if (values.method && !METHODS.includes(values.method)) throw new UsageError(`--method must be one of ${METHODS.join(', ')} (got '${values.method}')`);
  if (values.preset && !PRESETS.some((p) => p.name === values.preset)) throw new UsageError(`unknown preset '${values.preset}': use one of ${PRESETS.map((p) => p.name).join(', ')}`);
  const cwd = process.cwd();
  const configFile = resolve(cwd, values.out);
  if (existsSync(configFile) && !values.force) throw new UsageError(`${configFile} exists: pass --force to overwrite it`);
  const modelIsLocal = isLocalModel(values.model, existsSync, cwd);
  if (modelIsLocal && !existsSync(resolve(cwd, values.model, 'config.json'))) throw new UsageError(`no config.json in model folder ${resolve(cwd, values.model)}`);

  let arch: ModelArchitecture | null = null;
  try {
    arch = await loadArchitecture(values.model, { baseDir: cwd, timeoutMs: 10_000 });
  } catch (error) {
    if (modelIsLocal) throw new UsageError((error as Error).message);
    io.err(`warning: ${(error as Error).message}\n`);
  }
  const { config, warnings } = initialConfig({
    model: values.model, modelIsLocal, dataset: values.dataset, configFile, cwd,
    ...(values.preset ? { preset: values.preset } : {}),
    ...(values.method ? { method: values.method as TrainMethod } : {}),
    ...(values['output-dir'] ? { outputDir: values['output-dir'] } : {}),
  }, arch);
  for (const warning of warnings) io.err(`warning: ${warning}\n`);
  await mkdir(dirname(configFile), { recursive: true });
  await writeFile(configFile, JSON.stringify(config, null, 2) + '\n');
  io.out(`wrote ${configFile} (method ${config.method}${values.preset ? `, preset ${values.preset}` : ''}; run folder ${config.output_dir})\n`);
  return 0;
}
