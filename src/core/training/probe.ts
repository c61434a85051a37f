/**
 * Environment probe: runs `python -m llava_studio_worker.probe` (PYTHONPATH=native-bin) with the
 * caller's interpreter, parses its one JSON object, and turns it into exact fix-it hints.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainMethod } from './schema';

export interface GpuInfo {
  name: string;
  total_mb: number;
  free_mb: number;
}

export interface EnvironmentProbe {
  /** The probe ran and printed a well-formed object. */
  ok: boolean;
  /** Python version, e.g. "3.11.2". */
  python: string | null;
  /** The interpreter as resolved by the probe (sys.executable), else the path we were given. */
  executable: string;
  packages: Record<string, string | null>;
  /** As the probe reports it: null without torch; else whether CUDA works and torch's CUDA version. */
  cuda: { available: boolean; version: string | null } | null;
  gpus: GpuInfo[];
  bf16: boolean | null;
  /** Problems the probe met while looking (e.g. "import torch failed: …"). */
  errors: string[];
  /** Why the probe itself failed (no interpreter, timeout, bad output); null when ok. */
  error: string | null;
  hints: string[];
}

export interface ProbeOptions {
  python: string;
  /** Absolute path of native-bin (holds llava_studio_worker/ and requirements.txt). */
  nativeBin: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** The training method the hints are for (QLoRA needs bitsandbytes). */
  method?: TrainMethod;
}

/** Packages the worker cannot run without, when requirements.txt cannot be read. */
const FALLBACK_REQUIRED = ['torch', 'transformers', 'peft', 'accelerate', 'safetensors', 'pillow', 'pyarrow', 'tensorboard'];
const norm = (name: string): string => {
  const n = name.toLowerCase().replace(/-/g, '_');
  return n === 'pil' ? 'pillow' : n;
};

export interface Requirement {
  name: string;
  /** Version specifiers, e.g. ">=5,<6" ('' = any). */
  spec: string;
}

/** Requirements of native-bin/requirements.txt (markers, extras and comments stripped). */
export function requiredPackages(requirementsPath: string): Requirement[] {
  let text: string;
  try {
    text = readFileSync(requirementsPath, 'utf8');
  } catch {
    return FALLBACK_REQUIRED.map((name) => ({ name, spec: '' }));
  }
  const found = text.split('\n')
    .map((line) => line.replace(/#.*/, '').replace(/;.*/, '').trim())
    .filter((line) => line && !line.startsWith('-'))
    .map((line) => /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1]!, spec: m[2]!.replace(/\s+/g, '') }));
  return found.length > 0 ? found : FALLBACK_REQUIRED.map((name) => ({ name, spec: '' }));
}

const numericParts = (version: string): number[] => (/^\d+(\.\d+)*/.exec(version)?.[0] ?? '0').split('.').map(Number);

function compareVersions(a: string, b: string): number {
  const x = numericParts(a);
  const y = numericParts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Whether `version` meets a PEP 440-style spec made of >=, >, <=, <, ==, != clauses (numeric parts only). */
export function satisfies(version: string, spec: string): boolean {
  return spec.split(',').filter(Boolean).every((clause) => {
    const m = /^(>=|<=|==|!=|>|<|~=)(.+)$/.exec(clause);
    if (!m) return true;
    const c = compareVersions(version, m[2]!);
    switch (m[1]) {
      case '>=': case '~=': return c >= 0;
      case '>': return c > 0;
      case '<=': return c <= 0;
      case '<': return c < 0;
      case '==': return c === 0;
      default: return c !== 0;
    }
  });
}

function version(packages: Record<string, string | null>, name: string): string | null | undefined {
  const key = Object.keys(packages).find((k) => norm(k) === norm(name));
  return key === undefined ? undefined : packages[key];
}

/** Required packages the probe reports as absent (a package the probe does not mention is not assumed missing). */
export function missingPackages(probe: Pick<EnvironmentProbe, 'packages'>, required: Requirement[]): string[] {
  return required.filter((r) => version(probe.packages, r.name) === null).map((r) => r.name);
}

/** Installed packages older (or newer) than requirements.txt allows, as "name version (needs spec)". */
export function outdatedPackages(probe: Pick<EnvironmentProbe, 'packages'>, required: Requirement[]): string[] {
  return required.flatMap((r) => {
    const v = version(probe.packages, r.name);
    return typeof v === 'string' && r.spec && !satisfies(v, r.spec) ? [`${r.name} ${v} (needs ${r.spec})`] : [];
  });
}

export function probeHints(probe: EnvironmentProbe, requirementsPath: string, method?: TrainMethod): string[] {
  if (!probe.ok) return probe.hints;
  const hints: string[] = [];
  const [major, minor] = (probe.python ?? '').split('.').map(Number);
  if (major !== undefined && minor !== undefined && (major < 3 || (major === 3 && minor < 10))) {
    hints.push(`python ${probe.python} at ${probe.executable} is too old: the worker needs Python 3.10 or newer`);
  }
  const required = requiredPackages(requirementsPath);
  const missing = missingPackages(probe, required);
  if (missing.length > 0) {
    hints.push(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed in ${probe.executable}: pip install -r ${requirementsPath}`);
  }
  const outdated = outdatedPackages(probe, required);
  if (outdated.length > 0) hints.push(`${outdated.join(', ')} in ${probe.executable}: pip install -r ${requirementsPath}`);
  for (const error of probe.errors) hints.push(`${error} (${probe.executable})`);
  const bnb = version(probe.packages, 'bitsandbytes');
  if (bnb === null || (bnb === undefined && method === 'qlora')) hints.push('bitsandbytes needed for QLoRA: pip install bitsandbytes');
  if (probe.gpus.length === 0) {
    const why = !version(probe.packages, 'torch') ? 'nvidia-smi lists none'
      : probe.cuda?.version ? 'check the driver with nvidia-smi, and CUDA_VISIBLE_DEVICES'
        : 'this torch is built without CUDA: install a CUDA build of torch';
    hints.push(`no CUDA GPU visible (${why})`);
  }
  if (probe.gpus.length > 0 && probe.bf16 === false) hints.push('this GPU has no bf16 support: set bf16 to false (fp16 mixed precision)');
  return hints;
}

/** What stops the worker from running at all with this method (empty when it can run). */
export function trainingBlockers(probe: EnvironmentProbe, requirementsPath: string, method?: TrainMethod): string[] {
  if (!probe.ok) return probe.hints.length > 0 ? probe.hints : [probe.error ?? 'the environment probe failed'];
  return probeHints(probe, requirementsPath, method).filter((hint) => !hint.startsWith('no CUDA GPU') && !hint.startsWith('this GPU has no bf16')
    && (method === 'qlora' || !hint.startsWith('bitsandbytes')));
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function cudaOf(value: unknown): EnvironmentProbe['cuda'] {
  if (!isRecord(value)) return null;
  return { available: value.available === true, version: typeof value.version === 'string' ? value.version : null };
}

/** Parses the probe's stdout: the one JSON object (the last line that is one, should a library print first). */
export function parseProbeOutput(stdout: string, fallbackExecutable: string): Omit<EnvironmentProbe, 'hints'> {
  const lines = stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{'));
  let raw: unknown = null;
  for (const line of [stdout.trim(), ...lines.reverse()]) {
    try {
      raw = JSON.parse(line);
      break;
    } catch {
      // try the next candidate
    }
  }
  if (!isRecord(raw)) throw new Error(`the probe printed no JSON object (output starts: ${JSON.stringify(stdout.slice(0, 120))})`);
  const packages: Record<string, string | null> = {};
  for (const [name, v] of Object.entries(isRecord(raw.packages) ? raw.packages : {})) packages[name] = typeof v === 'string' ? v : null;
  const gpus = (Array.isArray(raw.gpus) ? raw.gpus : []).filter(isRecord).map((g) => ({
    name: String(g.name ?? 'GPU'), total_mb: Number(g.total_mb ?? 0), free_mb: Number(g.free_mb ?? 0),
  }));
  return {
    ok: true,
    python: typeof raw.python === 'string' ? raw.python : null,
    executable: typeof raw.executable === 'string' ? raw.executable : fallbackExecutable,
    packages,
    cuda: cudaOf(raw.cuda),
    gpus,
    bf16: typeof raw.bf16 === 'boolean' ? raw.bf16 : null,
    errors: Array.isArray(raw.errors) ? raw.errors.filter((e): e is string => typeof e === 'string') : [],
    error: null,
  };
}

function failed(python: string, error: string, hints: string[]): EnvironmentProbe {
  return { ok: false, python: null, executable: python, packages: {}, cuda: null, gpus: [], bf16: null, errors: [], error, hints };
}

/** Runs the probe. Never throws: a failure comes back with `ok: false`, the reason and what to do. */
export function probeEnvironment(options: ProbeOptions): Promise<EnvironmentProbe> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const requirements = join(options.nativeBin, 'requirements.txt');
  const env = { ...(options.env ?? process.env) };
  env.PYTHONPATH = env.PYTHONPATH ? `${options.nativeBin}:${env.PYTHONPATH}` : options.nativeBin;
  env.PYTHONUNBUFFERED = '1';
  env.PYTHONIOENCODING = 'utf-8';
  return new Promise((resolve) => {
    execFile(options.python, ['-m', 'llava_studio_worker.probe'], { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 << 20, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      if (code === 'ENOENT' || code === 'EACCES') {
        resolve(failed(options.python, `no python interpreter at ${options.python}`, [`no python interpreter at ${options.python}: install Python 3.10+ or pass the path of one (--python PATH)`]));
        return;
      }
      if (error && (error as { killed?: boolean }).killed) {
        resolve(failed(options.python, `the probe did not answer within ${Math.round(timeoutMs / 1000)} s`, [`the environment probe (${options.python}) did not answer within ${Math.round(timeoutMs / 1000)} s: importing torch the first time can be slow, try again`]));
        return;
      }
      if (/No module named '?llava_studio_worker/.test(stderr)) {
        resolve(failed(options.python, `llava_studio_worker not found under ${options.nativeBin}`, [`the worker package is missing: expected ${join(options.nativeBin, 'llava_studio_worker')} (reinstall the extension)`]));
        return;
      }
      try {
        const parsed = parseProbeOutput(stdout, options.python);
        const probe: EnvironmentProbe = { ...parsed, hints: [] };
        probe.hints = probeHints(probe, requirements, options.method);
        resolve(probe);
      } catch (parseError) {
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        resolve(failed(options.python, `${(parseError as Error).message}${tail ? `; stderr: ${tail}` : ''}`, [`the environment probe failed with ${options.python}${tail ? `: ${tail}` : ''}`]));
      }
    });
  });
}
