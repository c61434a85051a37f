/**
 * SLURM: an sbatch script that runs one `srun` task per node, each starting `accelerate launch` with the
 * rendezvous set, in a shared run folder; and the few commands that submit, track and cancel it.
 *
 * Stopping: `--signal=TERM@300` makes slurmstepd send SIGTERM to every task of the job's steps (the
 * launcher on each node, which forwards it to its workers) 300 s before the time limit, and a user's
 * stop is the same signal through `scancel --signal=TERM ID`: steps only, not the batch shell. Not
 * `B:TERM` with the shell forwarding it to srun: srun answers SIGTERM with "forcing job termination"
 * and the tasks die by SIGKILL without a checkpoint (seen on Slurm 22.05 in slurm.test.ts). Not
 * `--full` either: it would also signal the batch shell, which then dies before its step. After the
 * grace period a plain `scancel` ends whatever is left.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { shellQuote, WORKER_MODULE, workerArgs, workerEnv, type PlanOptions, type RunFiles, runFiles, SECRET_ENV } from './launchPlan';

export interface SlurmOptions {
  nodes: number;
  gpusPerNode: number;
  partition?: string;
  /** sbatch --time, e.g. "24:00:00". */
  time?: string;
  cpusPerTask?: number;
  /** sbatch --mem, e.g. "64G". */
  mem?: string;
  account?: string;
  /** Fixed rendezvous port; default derives one from the job id (20000–39999). */
  masterPort?: number;
  /** Seconds before the time limit at which SIGTERM asks the worker to checkpoint (default 300). */
  signalSeconds?: number;
  jobName?: string;
}

export interface SlurmPlan {
  kind: 'slurm';
  runDir: string;
  scriptPath: string;
  script: string;
  submitArgv: string[];
  env: Record<string, string>;
  /** Secrets reach the job through sbatch's inherited environment (--export=ALL), never the script. */
  secretEnv: string[];
  files: RunFiles;
  processes: number;
  slurm: SlurmOptions;
  /** What the plan was made from (no secrets in it): a resume remakes the script from these. */
  options: PlanOptions;
}

const positiveInt = (value: number, name: string): void => {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1 (got ${value})`);
};

/** The command each node's task runs; "$VAR" parts expand on the node. */
function taskCommand(options: PlanOptions, slurm: SlurmOptions): string {
  const args = workerArgs(options).map(shellQuote);
  const processes = slurm.nodes * Math.max(1, slurm.gpusPerNode);
  if (options.workerCommand) {
    if (processes > 1) throw new Error('a custom worker command cannot be launched on several GPUs or nodes');
    return ['exec', ...options.workerCommand.map(shellQuote), ...args].join(' ');
  }
  if (processes === 1) return ['exec', shellQuote(options.python), '-m', WORKER_MODULE, ...args].join(' ');
  return [
    'exec', shellQuote(options.python), '-m', 'accelerate.commands.launch',
    '--num_machines', String(slurm.nodes), '--num_processes', String(processes),
    '--machine_rank', '"$SLURM_NODEID"', '--main_process_ip', '"$MASTER_ADDR"', '--main_process_port', '"$MASTER_PORT"',
    '--rdzv_backend', 'static', '-m', WORKER_MODULE, ...args,
  ].join(' ');
}

export function slurmPlan(options: PlanOptions, slurm: SlurmOptions): SlurmPlan {
  positiveInt(slurm.nodes, 'nodes');
  if (!Number.isInteger(slurm.gpusPerNode) || slurm.gpusPerNode < 0) throw new Error(`gpus per node must be a whole number ≥ 0 (got ${slurm.gpusPerNode})`);
  const runDir = options.runDir;
  const env = workerEnv(options);
  const signal = slurm.signalSeconds ?? 300;
  const directives = [
    `--job-name=${slurm.jobName ?? 'llava-studio'}`,
    `--nodes=${slurm.nodes}`,
    '--ntasks-per-node=1',
    ...(slurm.gpusPerNode > 0 ? [`--gpus-per-node=${slurm.gpusPerNode}`] : []),
    ...(slurm.cpusPerTask ? [`--cpus-per-task=${slurm.cpusPerTask}`] : []),
    ...(slurm.partition ? [`--partition=${slurm.partition}`] : []),
    ...(slurm.time ? [`--time=${slurm.time}`] : []),
    ...(slurm.mem ? [`--mem=${slurm.mem}`] : []),
    ...(slurm.account ? [`--account=${slurm.account}`] : []),
    `--output=${join(runDir, 'slurm-%j.out')}`,
    `--chdir=${runDir}`,
    `--signal=TERM@${signal}`,
  ];
  const port = slurm.masterPort !== undefined ? String(slurm.masterPort) : '$((20000 + SLURM_JOB_ID % 20000))';
  const script = [
    '#!/bin/bash',
    ...directives.map((d) => `#SBATCH ${d}`),
    `# LLaVA Studio run ${runDir} (written by the supervisor; secrets come from the submitting environment)`,
    'set -uo pipefail',
    ...Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
    'MASTER_ADDR=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)',
    `MASTER_PORT=${port}`,
    'export MASTER_ADDR MASTER_PORT',
    '# one task per node; SIGTERM (time limit or a stop) reaches the tasks from slurmstepd, never via srun',
    `srun --nodes=${slurm.nodes} --ntasks-per-node=1 --kill-on-bad-exit=1 bash -c ${shellQuote(taskCommand(options, slurm))}`,
    '',
  ].join('\n');
  const scriptPath = join(runDir, 'job.sbatch');
  return {
    kind: 'slurm', runDir, scriptPath, script,
    submitArgv: ['sbatch', '--parsable', scriptPath],
    env,
    secretEnv: options.push ? [...SECRET_ENV] : [],
    files: runFiles(runDir),
    processes: slurm.nodes * Math.max(1, slurm.gpusPerNode),
    slurm,
    options,
  };
}

export type SlurmState = string;
/** States after which the job does no more work. */
export const SLURM_DONE = new Set(['COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'REVOKED', 'SPECIAL_EXIT']);

export type ExecFn = (file: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number }) => Promise<{ code: number; stdout: string; stderr: string }>;

export const execCommand: ExecFn = (file, args, options) => new Promise((resolve) => {
  execFile(file, args, { env: options.env, timeout: options.timeoutMs ?? 30_000, encoding: 'utf8' }, (error, stdout, stderr) => {
    const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 127) : 0;
    resolve({ code, stdout, stderr: stderr || (error && code === 127 ? error.message : '') });
  });
});

/** sbatch / squeue / scontrol / scancel, run where the workspace lives. */
export class SlurmClient {
  constructor(private readonly exec: ExecFn = execCommand, private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** Submits the script; returns the job id (`sbatch --parsable` prints `ID` or `ID;cluster`). */
  async submit(scriptPath: string, env: NodeJS.ProcessEnv = this.env): Promise<string> {
    const { code, stdout, stderr } = await this.exec('sbatch', ['--parsable', scriptPath], { env });
    const id = /^(\d+)/.exec(stdout.trim())?.[1];
    if (code !== 0 || !id) throw new Error(`sbatch failed for ${scriptPath}: ${(stderr || stdout).trim() || `exit ${code}`}`);
    return id;
  }

  /** The job's state (PENDING, RUNNING, COMPLETED…), or null once SLURM has forgotten it. sacct is not used: accounting is often off. */
  async state(jobId: string): Promise<SlurmState | null> {
    const queued = await this.exec('squeue', ['-j', jobId, '-h', '-o', '%T'], { env: this.env });
    const fromQueue = queued.code === 0 ? queued.stdout.trim().split('\n')[0]?.trim() : '';
    if (fromQueue) return fromQueue;
    const shown = await this.exec('scontrol', ['show', 'job', jobId], { env: this.env });
    return /JobState=(\w+)/.exec(shown.stdout)?.[1] ?? null;
  }

  /** Asks the job to stop: SIGTERM to the tasks of its steps (the launchers), not to the batch shell. */
  async terminate(jobId: string): Promise<void> {
    const { code, stderr } = await this.exec('scancel', ['--signal=TERM', jobId], { env: this.env });
    if (code !== 0) throw new Error(`scancel --signal=TERM ${jobId} failed: ${stderr.trim()}`);
  }

  /** Ends the job now (SIGKILL after SLURM's KillWait). */
  async cancel(jobId: string): Promise<void> {
    const { code, stderr } = await this.exec('scancel', [jobId], { env: this.env });
    if (code !== 0) throw new Error(`scancel ${jobId} failed: ${stderr.trim()}`);
  }
}
