/**
 * Launch plans: the exact command line, environment and run folder of a training run. No secret is
 * part of a plan or of the worker's environment: a run that pushes is pushed by whoever launched it
 * (the extension with its stored token, the CLI with the shell's), after the worker has finished.
 */
import { join } from 'node:path';

/** Hub token variables, stripped from every worker's inherited environment (a training run never needs one to push). */
export const TOKEN_ENV = ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HUGGINGFACE_HUB_TOKEN'] as const;

export type ResumeFrom = 'latest' | `checkpoint-${number}`;

export interface RunFiles {
  runJson: string;
  events: string;
  log: string;
}

export interface LocalPlan {
  kind: 'local';
  runDir: string;
  cwd: string;
  argv: string[];
  /** Variables set for the worker (values included; never a secret). */
  env: Record<string, string>;
  files: RunFiles;
  /** GPU processes started (1 = plain python, more = accelerate launch). */
  processes: number;
  /** What the plan was made from: a resume remakes the plan from these. */
  options: PlanOptions;
}

export interface PlanOptions {
  python: string;
  /** Absolute path of native-bin. */
  nativeBin: string;
  runDir: string;
  /** GPU processes on this machine (default 1). More than one launches through accelerate. */
  processes?: number;
  /** CUDA_VISIBLE_DEVICES for the run (e.g. "0,1"); unset = whatever the caller's environment says. */
  cudaDevices?: string;
  resume?: ResumeFrom;
  /** Extra worker arguments (e.g. --validate-only). */
  extraArgs?: string[];
  /** Replaces `python -m llava_studio_worker.train` (tests run a stand-in worker this way). */
  workerCommand?: string[];
}

export const WORKER_MODULE = 'llava_studio_worker.train';
const RESUME = /^(latest|checkpoint-\d+)$/;

export function runFiles(runDir: string): RunFiles {
  return { runJson: join(runDir, 'run.json'), events: join(runDir, 'events.jsonl'), log: join(runDir, 'train.log') };
}

export function workerArgs(options: Pick<PlanOptions, 'runDir' | 'resume' | 'extraArgs'>): string[] {
  if (options.resume !== undefined && !RESUME.test(options.resume)) throw new Error(`resume must be 'latest' or 'checkpoint-N' (got '${options.resume}')`);
  return ['--config', runFiles(options.runDir).runJson, ...(options.resume ? ['--resume', options.resume] : []), ...(options.extraArgs ?? [])];
}

export function workerEnv(options: Pick<PlanOptions, 'nativeBin' | 'runDir' | 'cudaDevices'>): Record<string, string> {
  return {
    PYTHONPATH: options.nativeBin,
    PYTHONUNBUFFERED: '1',
    PYTHONIOENCODING: 'utf-8',
    TENSORBOARD_LOGGING_DIR: join(options.runDir, 'runs'),
    ...(options.cudaDevices !== undefined ? { CUDA_VISIBLE_DEVICES: options.cudaDevices } : {}),
  };
}

/** `python -m llava_studio_worker.train --config <run>/run.json`, or `accelerate launch` for several GPUs. */
export function localPlan(options: PlanOptions): LocalPlan {
  const processes = options.processes ?? 1;
  if (!Number.isInteger(processes) || processes < 1) throw new Error(`processes must be a whole number ≥ 1 (got ${processes})`);
  const args = workerArgs(options);
  let argv: string[];
  if (options.workerCommand) {
    if (processes > 1) throw new Error('a custom worker command cannot be launched on several GPUs');
    argv = [...options.workerCommand, ...args];
  } else if (processes === 1) {
    argv = [options.python, '-m', WORKER_MODULE, ...args];
  } else {
    // accelerate through the same interpreter: an `accelerate` on PATH may belong to another environment.
    argv = [options.python, '-m', 'accelerate.commands.launch', '--num_processes', String(processes), '--num_machines', '1', '-m', WORKER_MODULE, ...args];
  }
  return {
    kind: 'local',
    runDir: options.runDir,
    cwd: options.runDir,
    argv,
    env: workerEnv(options),
    files: runFiles(options.runDir),
    processes,
    options,
  };
}

/** POSIX shell quoting: bare when safe, single quotes otherwise. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The plan as a person reads it (`train --dry-run`): command, variables, run folder. */
export function formatPlan(plan: LocalPlan): string {
  const lines = [
    `run folder: ${plan.runDir}`,
    `command:    ${plan.argv.map(shellQuote).join(' ')}`,
    `processes:  ${plan.processes}`,
    'environment:',
    ...Object.entries(plan.env).map(([k, v]) => `  ${k}=${shellQuote(v)}`),
    `  (${TOKEN_ENV.join(', ')} removed: the worker gets no Hub token)`,
    `writes:     ${plan.files.runJson}, ${plan.files.events}, ${plan.files.log}`,
  ];
  return lines.join('\n') + '\n';
}
