import type { ErrorObject, ValidateFunction } from 'ajv';
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { LORA_DEFAULTS, PROJECTOR_LR_DEFAULTS, trainConfigSchema, type TrainConfig, type TrainMethod } from './schema';

/** One problem with a config, named by its dotted field path (`lora.r`, `dataset.path`). */
export interface ConfigIssue {
  field: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[], where = 'config') {
    super(`${where}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  }
}

let validators: { strict: ValidateFunction; filling: ValidateFunction } | null = null;

function compile(): { strict: ValidateFunction; filling: ValidateFunction } {
  if (validators) return validators;
  // ajv (~200 KB) loads on the first validation, not when the extension activates.
  const Ajv = (require('ajv') as typeof import('ajv')).default;
  const make = (useDefaults: boolean): ValidateFunction => {
    const ajv = new Ajv({ allErrors: true, useDefaults, allowUnionTypes: true, strict: true, verbose: true });
    ajv.addFormat('regex', (text: string) => {
      try {
        new RegExp(text);
        return true;
      } catch {
        return false;
      }
    });
    return ajv.compile(trainConfigSchema);
  };
  validators = { strict: make(false), filling: make(true) };
  return validators;
}

const dotted = (pointer: string): string => pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');

function describe(error: ErrorObject, data: unknown): ConfigIssue {
  const at = dotted(error.instancePath);
  const value = error.instancePath.split('/').slice(1).reduce<unknown>((v, key) => (v as Record<string, unknown> | null)?.[key], data);
  const got = ` (got ${JSON.stringify(value)})`;
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { field: at ? `${at}.${p.missingProperty}` : String(p.missingProperty), message: 'is required' };
    case 'additionalProperties':
      return { field: at ? `${at}.${p.additionalProperty}` : String(p.additionalProperty), message: 'is not a known field (check the spelling)' };
    case 'enum':
      return { field: at, message: `must be one of ${(p.allowedValues as unknown[]).join(', ')}${got}` };
    case 'format':
      return { field: at, message: `must be a valid ${p.format === 'regex' ? 'regular expression' : p.format}${got}` };
    case 'const': {
      const why = error.parentSchema?.description as string | undefined;
      return { field: at, message: `${why ? why.charAt(0).toLowerCase() + why.slice(1).replace(/\.$/, '') : `must be ${JSON.stringify(p.allowedValue)}`}${got}` };
    }
    case 'not':
      return { field: at, message: `must not be ${JSON.stringify(value)}` };
    case 'pattern':
      return { field: at, message: `must look like namespace/name${got}` };
    default:
      return { field: at || '(root)', message: `${error.message ?? 'is invalid'}${got}` };
  }
}

/** Every issue with `data` against the schema (no defaults applied); empty when valid. */
export function validateConfig(data: unknown): ConfigIssue[] {
  const { strict } = compile();
  if (strict(data)) return [];
  const seen = new Set<string>();
  // `if` only restates the `then` error under it.
  return (strict.errors ?? []).filter((e) => e.keyword !== 'if').map((e) => describe(e, data)).filter((issue) => {
    const key = `${issue.field}|${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Validates and fills every default; throws ConfigError naming each bad field. Does not modify `data`.
 * Defaults that depend on the method (lora block, projector_lr) are filled as the worker would.
 */
export function completeConfig(data: unknown, where = 'config'): TrainConfig {
  const issues = validateConfig(data);
  if (issues.length > 0) throw new ConfigError(issues, where);
  const copy = structuredClone(data) as Record<string, unknown>;
  const method = copy.method as TrainMethod;
  copy.lora = { ...LORA_DEFAULTS[method], ...((copy.lora as object | null) ?? {}) };
  copy.projector_lr ??= PROJECTOR_LR_DEFAULTS[method];
  if (copy.max_steps === -1) copy.max_steps = null;
  const { filling } = compile();
  if (!filling(copy)) throw new ConfigError((filling.errors ?? []).map((e) => describe(e, copy)), where);
  return inSchemaOrder(copy, trainConfigSchema) as unknown as TrainConfig;
}

/** The same object with its keys in the schema's order (files people read list fields as the form does). */
function inSchemaOrder(value: unknown, schema: { properties?: Record<string, unknown> }): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !schema.properties) return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(schema.properties)) {
    if (key in source) out[key] = inSchemaOrder(source[key], sub as { properties?: Record<string, unknown> });
  }
  for (const key of Object.keys(source)) if (!(key in out)) out[key] = source[key];
  return out;
}

/** Parses a config file's text (JSON) and completes it. */
export function parseConfigText(text: string, file: string): TrainConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([{ field: '(file)', message: `not valid JSON (${(error as Error).message})` }], file);
  }
  return completeConfig(raw, file);
}

const expandHome = (path: string): string => (path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path);
const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Whether `model` names a local folder: absolute, `./`, `../`, `~/`, or an existing folder relative to `baseDir`. */
export function isLocalModel(model: string, exists: (path: string) => boolean, baseDir: string): boolean {
  if (isAbsolute(expandHome(model)) || /^\.\.?([\\/]|$)/.test(model)) return true;
  if (!HUB_ID.test(model)) return true;
  return exists(resolve(baseDir, model));
}

/**
 * Resolves every path of a config against `baseDir` (the config file's folder) so the worker, which
 * runs elsewhere, reads the same files. A Hub id stays as is.
 */
export function resolveConfigPaths(config: TrainConfig, baseDir: string, exists: (path: string) => boolean): TrainConfig {
  const abs = (path: string): string => resolve(baseDir, expandHome(path));
  const optional = (path: string | null): string | null => (path === null ? null : abs(path));
  const { $schema: _schema, ...rest } = config;
  return {
    ...rest,
    model: isLocalModel(config.model, exists, baseDir) ? abs(config.model) : config.model,
    output_dir: abs(config.output_dir),
    dataset: {
      ...config.dataset,
      path: abs(config.dataset.path),
      images_dir: optional(config.dataset.images_dir),
      eval_path: optional(config.dataset.eval_path),
    },
  };
}

/** Reads a config file, validates it, fills defaults and resolves its paths against the file's folder. */
export async function readConfigFile(file: string): Promise<TrainConfig> {
  const { readFile } = await import('node:fs/promises');
  const { existsSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([{ field: '(file)', message: `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }], path);
  }
  return resolveConfigPaths(parseConfigText(text, path), dirname(path), existsSync);
}
