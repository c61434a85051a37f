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
 * grace period a plain `scancel` ends whatever is left. slurmstepd signals every process of a step,
 * DataLoader workers included: the worker makes those ignore SIGTERM (see processInfo.signalTree).
 *
 * A requeued job (preempted, or a node failed) runs the same script again; the worker sees
 * SLURM_RESTART_COUNT ≥ 1 and continues from the newest checkpoint instead of starting over.
 *
 * No Hub token reaches a job: the submit environment has none (workerEnvironment) and the script unsets
 * any a manual `sbatch` would pass on; whoever launched the run pushes final/ once it has finished.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { shellQuote, TOKEN_ENV, WORKER_MODULE, workerArgs, workerEnv, type PlanOptions, type RunFiles, runFiles } from './launchPlan';
import { refuseControlCharacters, sbatchQuote, SLURM_MEM, SLURM_NAME, SLURM_TIME, slurmPatternLiteral } from './slurmValues';

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
  files: RunFiles;
  processes: number;
  slurm: SlurmOptions;
  /** What the plan was made from (no secrets in it): a resume remakes the script from these. */
  options: PlanOptions;
}

const positiveInt = (value: number, name: string): void => {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1 (got ${value})`);
};

/** Every value that lands in the script, checked before a line is written (errors name the setting). */
function checkValues(options: PlanOptions, slurm: SlurmOptions): void {
  positiveInt(slurm.nodes, 'nodes');
  if (!Number.isInteger(slurm.gpusPerNode) || slurm.gpusPerNode < 0) throw new Error(`gpus per node must be a whole number ≥ 0 (got ${slurm.gpusPerNode})`);
  if (slurm.cpusPerTask !== undefined) positiveInt(slurm.cpusPerTask, 'cpus per task');
  if (slurm.masterPort !== undefined && !(Number.isInteger(slurm.masterPort) && slurm.masterPort >= 1 && slurm.masterPort <= 65535)) throw new Error(`master port must be 1–65535 (got ${slurm.masterPort})`);
  if (slurm.signalSeconds !== undefined && !(Number.isInteger(slurm.signalSeconds) && slurm.signalSeconds >= 0)) throw new Error(`signal seconds must be a whole number ≥ 0 (got ${slurm.signalSeconds})`);
  const texts: [string | undefined, string][] = [
    [options.runDir, 'run folder'], [options.python, 'python'], [options.nativeBin, 'native-bin folder'], [slurm.jobName, 'job name'],
    [slurm.partition, 'partition'], [slurm.account, 'account'], [slurm.time, 'time limit'], [slurm.mem, 'memory'],
    ...(options.workerCommand ?? []).map((part): [string, string] => [part, 'worker command']),
    ...(options.extraArgs ?? []).map((part): [string, string] => [part, 'worker argument']),
  ];
  for (const [value, what] of texts) if (value !== undefined) refuseControlCharacters(value, what);
  if (slurm.partition !== undefined && !SLURM_NAME.test(slurm.partition)) throw new Error(`partition must be letters, digits, _ . , - (got '${slurm.partition}')`);
  if (slurm.account !== undefined && !SLURM_NAME.test(slurm.account)) throw new Error(`account must be letters, digits, _ . , - (got '${slurm.account}')`);
  if (slurm.time !== undefined && !SLURM_TIME.test(slurm.time)) throw new Error(`time limit must look like MM, HH:MM:SS, D-HH or D-HH:MM:SS (got '${slurm.time}')`);
  if (slurm.mem !== undefined && !SLURM_MEM.test(slurm.mem)) throw new Error(`memory must be a number with an optional K, M, G or T (got '${slurm.mem}')`);
}

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
  checkValues(options, slurm);
  const runDir = options.runDir;
  const env = workerEnv(options);
  const signal = slurm.signalSeconds ?? 300;
  const directives = [
    `--job-name=${sbatchQuote(slurm.jobName ?? 'llava-studio')}`,
    `--nodes=${slurm.nodes}`,
    '--ntasks-per-node=1',
    ...(slurm.gpusPerNode > 0 ? [`--gpus-per-node=${slurm.gpusPerNode}`] : []),
    ...(slurm.cpusPerTask ? [`--cpus-per-task=${slurm.cpusPerTask}`] : []),
    ...(slurm.partition ? [`--partition=${slurm.partition}`] : []),
    ...(slurm.time ? [`--time=${slurm.time}`] : []),
    ...(slurm.mem ? [`--mem=${slurm.mem}`] : []),
    ...(slurm.account ? [`--account=${slurm.account}`] : []),
    `--output=${sbatchQuote(join(slurmPatternLiteral(runDir, 'run folder'), 'slurm-%j.out'))}`,
    `--chdir=${sbatchQuote(runDir)}`,
    `--signal=TERM@${signal}`,
  ];
  const port = slurm.masterPort !== undefined ? String(slurm.masterPort) : '$((20000 + SLURM_JOB_ID % 20000))';
  const script = [
    '#!/bin/bash',
    ...directives.map((d) => `#SBATCH ${d}`),
    `# LLaVA Studio run ${runDir} (written by the supervisor)`,
    'set -uo pipefail',
    `unset ${TOKEN_ENV.join(' ')}  # the job never pushes: whoever launched the run does, after it finishes`,
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
    files: runFiles(runDir),
    processes: slurm.nodes * Math.max(1, slurm.gpusPerNode),
    slurm,
    options,
  };
}

/** A job state as squeue/scontrol print it, or 'UNKNOWN' when SLURM could not be asked (busy, timed out). */
export type SlurmState = string;
/** States after which the job does no more work. PREEMPTED is not one: a preempted job is usually requeued. */
export const SLURM_DONE = new Set(['COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'REVOKED', 'SPECIAL_EXIT']);
/** States of a job that waits to (re)start. */
export const SLURM_WAITING = new Set(['PENDING', 'REQUEUED', 'REQUEUE_FED', 'REQUEUE_HOLD', 'PREEMPTED', 'RESV_DEL_HOLD']);
const FORGOTTEN = /invalid job id/i;

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

  /**
   * The job's state (PENDING, RUNNING, COMPLETED…); null only once SLURM says it has forgotten the job
   * ("Invalid job id"); 'UNKNOWN' when neither squeue nor scontrol answered (a busy or unreachable
   * controller, a timeout): the caller keeps following. sacct is not used: accounting is often off.
   */
  async state(jobId: string): Promise<SlurmState | null> {
    const queued = await this.exec('squeue', ['-j', jobId, '-h', '-o', '%T'], { env: this.env });
    const fromQueue = queued.code === 0 ? queued.stdout.trim().split('\n')[0]?.trim() : '';
    if (fromQueue) return fromQueue;
    const shown = await this.exec('scontrol', ['show', 'job', jobId], { env: this.env });
    const fromControl = /JobState=(\w+)/.exec(shown.stdout)?.[1];
    if (fromControl) return fromControl;
    return FORGOTTEN.test(`${shown.stderr}\n${shown.stdout}`) ? null : 'UNKNOWN';
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
