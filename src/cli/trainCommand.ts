import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pushRunToHub } from '../core/hub/upload';
import { ConfigError, readConfigFile } from '../core/training/config';
import { describeError } from '../core/training/events';
import { formatPlan, localPlan, type PlanOptions, type ResumeFrom } from '../core/training/launchPlan';
import { defaultPython, findNativeBin } from '../core/training/nativeBin';
import { trainingBlockers } from '../core/training/probe';
import type { TrainConfig } from '../core/training/schema';
import type { RunState } from '../core/training/runRecord';
import { slurmPlan, type SlurmOptions } from '../core/training/slurm';
import { Supervisor, type SupervisorNotice } from '../core/training/supervisor';
import { formatNumber } from './table';
import { runProbe } from './probeCommand';
import { UsageError, type Io } from './usageError';

export const trainUsage = 'llava-studio train CONFIG.json [--dry-run] [--python PATH] [--gpus N] [--resume latest|checkpoint-N] [--grace SECONDS] '
  + '[--slurm [--nodes N] [--gpus-per-node N] [--partition P] [--time HH:MM:SS] [--mem M] [--account A]]';

const int = (value: string | undefined, name: string, fallback: number, min = 1): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be a whole number ≥ ${min} (got '${value}')`);
  return n;
};

const duration = (seconds: number | null): string => (seconds === null ? '?' : seconds >= 3600 ? `${(seconds / 3600).toFixed(1)} h` : seconds >= 60 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds)} s`);

/** One notice as a line for a terminal, or null for notices not worth a line. */
export function noticeLine(notice: SupervisorNotice): string | null {
  if (notice.kind === 'status') return `status: ${notice.status}${notice.record.pid ? ` (pid ${notice.record.pid})` : ''}${notice.record.slurmJobId ? ` (SLURM job ${notice.record.slurmJobId})` : ''}`;
  if (notice.kind === 'alert') {
    const lines = [`alert: ${notice.alert.message}`];
    if (notice.alert.kind === 'oom') lines.push(...notice.alert.suggestions.map((s) => `  would fit: ${s.description.join('; ')}`));
    return lines.join('\n');
  }
  if (notice.kind === 'bad-line') return `warning: events.jsonl byte ${notice.line.offset}: ${notice.line.reason}`;
  const e = notice.event;
  switch (e.type) {
    case 'started': return `started: ${e.method ?? '?'} on ${e.model ?? '?'}${e.resumeFrom ? ` (resuming from ${e.resumeFrom})` : ''}`;
    case 'progress': return `step ${e.step}${e.total ? `/${e.total}` : ''}  loss ${formatNumber(e.loss)}  ${e.itPerSec ? `${e.itPerSec.toFixed(2)} it/s` : ''}  eta ${duration(e.etaSeconds)}`;
    case 'log': {
      const evals = Object.entries(e.scalars).filter(([k]) => k.startsWith('eval_'));
      return evals.length === 0 ? null : `eval at step ${e.step ?? '?'}: ${evals.map(([k, v]) => `${k} ${formatNumber(v)}`).join(', ')}`;
    }
    case 'checkpoint': return `checkpoint: ${e.path}`;
    case 'warning': return `warning: ${e.message}${e.hint ? ` (${e.hint})` : ''}`;
    case 'error': return `error: ${describeError(e)}`;
    case 'finished': return null; // the status line says it
  }
}

/** Follows a launched run to its end, printing as it goes; Ctrl-C stops it gracefully, a second one kills it. */
export async function followRun(supervisor: Supervisor, io: Io, graceMs: number): Promise<{ status: RunState; interrupted: boolean }> {
  let interrupted = false;
  const onSigint = (): void => {
    if (!interrupted) {
      interrupted = true;
      io.err(`stopping: the worker saves a checkpoint (up to ${Math.round(graceMs / 1000)} s; Ctrl-C again to kill it now)\n`);
      void supervisor.stop(graceMs);
    } else {
      void supervisor.stop(0);
    }
  };
  process.on('SIGINT', onSigint);
  const unsubscribe = supervisor.onNotice((notice) => {
    const line = noticeLine(notice);
    if (line) (notice.kind === 'event' && notice.event.type === 'error' ? io.err : io.out)(`${line}\n`);
  });
  try {
    await supervisor.waitForEnd();
  } finally {
    process.off('SIGINT', onSigint);
    unsubscribe();
  }
  const record = supervisor.current!;
  if (record.error) io.err(`${record.status}: ${record.error.message}\n${record.error.logTail.slice(-10).map((l) => `  | ${l}\n`).join('')}`);
  return { status: record.status, interrupted };
}

/** A Hub token from this shell; the worker never gets one (launchPlan strips them), the CLI pushes itself. */
const shellToken = (env: NodeJS.ProcessEnv): string | undefined => env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN || undefined;

/** After a finished run whose config has `push`: uploads final/ with this shell's token. Returns false when it could not. */
export async function pushAfterFinish(config: TrainConfig, io: Io, env: NodeJS.ProcessEnv = process.env, push: typeof pushRunToHub = pushRunToHub): Promise<boolean> {
  if (!config.push) return true;
  const token = shellToken(env);
  if (!token) {
    io.err(`not pushed to ${config.push.repo_id}: HF_TOKEN is not set in this shell (push later: python -m llava_studio_worker.push --run ${config.output_dir} --repo-id ${config.push.repo_id}, token on stdin)\n`);
    return false;
  }
  try {
    const result = await push({ runDir: config.output_dir, repoId: config.push.repo_id, private: config.push.private, accessToken: token });
    io.out(`pushed ${result.files.length} file(s) to ${result.repoUrl}${result.createdRepo ? ' (new repository)' : ''}\n`);
    return true;
  } catch (error) {
    io.err(`${(error as Error).message}\n`);
    return false;
  }
}

export async function trainCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean' }, slurm: { type: 'boolean' }, python: { type: 'string' }, gpus: { type: 'string' },
      resume: { type: 'string' }, grace: { type: 'string' }, nodes: { type: 'string' }, 'gpus-per-node': { type: 'string' },
      partition: { type: 'string' }, time: { type: 'string' }, mem: { type: 'string' }, account: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError(`usage: ${trainUsage}`);
  if (values.resume !== undefined && !/^(latest|checkpoint-\d+)$/.test(values.resume)) throw new UsageError(`--resume must be latest or checkpoint-N (got '${values.resume}')`);
  let config;
  try {
    config = await readConfigFile(positionals[0]!);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  const nativeBin = findNativeBin();
  if (!nativeBin) throw new UsageError('the worker package (native-bin/llava_studio_worker) was not found: set LLAVA_STUDIO_NATIVE_BIN to its native-bin folder');
  const graceMs = int(values.grace, '--grace', 120, 0) * 1000;
  let python = values.python ?? defaultPython();
  const options = (): PlanOptions => ({
    python, nativeBin, runDir: config.output_dir, processes: int(values.gpus, '--gpus', 1),
    ...(values.resume ? { resume: values.resume as ResumeFrom } : {}),
  });
  const slurm: SlurmOptions | null = values.slurm ? {
    nodes: int(values.nodes, '--nodes', 1), gpusPerNode: int(values['gpus-per-node'], '--gpus-per-node', 1, 0),
    ...(values.partition ? { partition: values.partition } : {}), ...(values.time ? { time: values.time } : {}),
    ...(values.mem ? { mem: values.mem } : {}), ...(values.account ? { account: values.account } : {}),
    jobName: `llava-studio-${config.output_dir.split(/[\\/]/).pop()}`,
  } : null;

  if (values['dry-run']) {
    const pushLine = config.push ? `# then: push final/ to ${config.push.repo_id} from here with HF_TOKEN (${shellToken(process.env) ? 'set' : 'NOT set'} in this shell); the worker gets no token\n` : '';
    if (slurm) {
      let plan;
      try {
        plan = slurmPlan(options(), slurm);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      io.out(`# run folder: ${plan.runDir}\n# submit with: ${plan.submitArgv.join(' ')}\n${pushLine}${plan.script}`);
    } else {
      io.out(`${formatPlan(localPlan(options()))}${pushLine}`);
    }
    return 0;
  }

  if (!slurm) {
    // The worker runs here: check it can before launching (SLURM jobs run elsewhere, so no probe for those).
    const { probe } = await runProbe(python, config.method);
    const blockers = trainingBlockers(probe, join(nativeBin, 'requirements.txt'), config.method);
    if (blockers.length > 0) {
      io.err(`cannot train with ${probe.executable}:\n${blockers.map((b) => `  → ${b}\n`).join('')}`);
      return 2;
    }
    python = probe.executable;
    for (const hint of probe.hints) io.err(`warning: ${hint}\n`);
  }
  if (config.push && !shellToken(process.env)) io.err(`warning: push to ${config.push.repo_id} is set but HF_TOKEN is not: the run will not be pushed when it finishes\n`);
  const supervisor = new Supervisor(config.output_dir, { stopGraceMs: graceMs });
  const resuming = values.resume !== undefined && existsSync(join(config.output_dir, 'run.json'));
  if (resuming) await supervisor.resume(values.resume as ResumeFrom);
  else await supervisor.launch({ config, plan: slurm ? slurmPlan(options(), slurm) : localPlan(options()) });
  io.out(`run folder: ${config.output_dir} (log: ${join(config.output_dir, 'train.log')})\n`);
  const { status, interrupted } = await followRun(supervisor, io, graceMs);
  supervisor.dispose();
  if (status === 'finished') return (await pushAfterFinish(config, io)) ? 0 : 1;
  return status === 'stopped' && interrupted ? 130 : 1;
}
