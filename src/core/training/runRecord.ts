import { open, readFile, rename, unlink } from 'node:fs/promises';
import type { LocalPlan } from './launchPlan';
import type { TrainConfig } from './schema';
import type { SlurmPlan } from './slurm';
import type { GpuInfo } from './probe';

/** Lifecycle in run.json. `failed`: the worker reported an error; `crashed`: it vanished without a word. */
export type RunState = 'queued' | 'running' | 'finished' | 'stopped' | 'crashed' | 'failed';
export const TERMINAL: ReadonlySet<RunState> = new Set(['finished', 'stopped', 'crashed', 'failed']);

export interface RunError {
  message: string;
  /** Last lines of train.log when the worker died without reporting why. */
  logTail: string[];
}

/**
 * run.json, written by the supervisor (atomically) and read by the worker (`config`, with exactly
 * the schema's snake_case names) and by the run explorer (`name`, `status`, `pid`, `host`, `startedAt`).
 */
export interface RunRecord {
  version: 1;
  name: string;
  status: RunState;
  config: TrainConfig;
  plan: LocalPlan | SlurmPlan;
  pid: number | null;
  host: string;
  /** ISO time of the first launch. */
  startedAt: string;
  /** Linux start time (clock ticks since boot) of `pid`, to tell it from a reused pid. */
  pidStartTime: string | null;
  slurmJobId: string | null;
  /** 1 for the first launch, +1 per resume. */
  attempt: number;
  /** ISO time of this attempt's launch. */
  attemptStartedAt: string;
  resumedFrom: string | null;
  /** Byte offset in events.jsonl where this attempt's events begin. */
  eventsOffset: number;
  stopRequestedAt: string | null;
  /** Grace period of that stop (ms): any window that follows the run SIGKILLs it at stopRequestedAt + stopGraceMs. */
  stopGraceMs: number | null;
  /** When the stop escalated to SIGKILL (or scancel), so the end says it was forced. */
  stopForcedAt: string | null;
  endedAt: string | null;
  exitCode: number | null;
  error: RunError | null;
  /** GPUs the probe saw at launch (for OOM suggestions). */
  gpus: GpuInfo[];
}

export function newRunRecord(fields: { name: string; config: TrainConfig; plan: LocalPlan | SlurmPlan; host: string; now: Date; gpus: GpuInfo[] }): RunRecord {
  const now = fields.now.toISOString();
  return {
    version: 1, name: fields.name, status: 'running', config: fields.config, plan: fields.plan, pid: null, host: fields.host,
    startedAt: now, pidStartTime: null, slurmJobId: null, attempt: 1, attemptStartedAt: now, resumedFrom: null, eventsOffset: 0,
    stopRequestedAt: null, stopGraceMs: null, stopForcedAt: null, endedAt: null, exitCode: null, error: null, gpus: fields.gpus,
  };
}

/** The record of the next attempt of a run that ended: same folder and config, a fresh process. */
export function resumedRunRecord(record: RunRecord, plan: LocalPlan | SlurmPlan, from: string, host: string, now: Date): RunRecord {
  return {
    ...record, plan, status: 'running', attempt: record.attempt + 1, attemptStartedAt: now.toISOString(), resumedFrom: from, host,
    stopRequestedAt: null, stopGraceMs: null, stopForcedAt: null, endedAt: null, exitCode: null, error: null, pid: null, pidStartTime: null, slurmJobId: null,
  };
}

export async function readRunRecord(file: string): Promise<RunRecord> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file (not a LLaVA Studio run folder?)' : (error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const record = raw as Partial<RunRecord>;
  if (record.version !== 1 || typeof record.config !== 'object' || typeof record.plan !== 'object') {
    throw new Error(`${file}: not a run.json written by LLaVA Studio (version ${JSON.stringify(record.version)})`);
  }
  return {
    pidStartTime: null, slurmJobId: null, attempt: 1, resumedFrom: null, eventsOffset: 0, stopRequestedAt: null, stopGraceMs: null,
    stopForcedAt: null, endedAt: null, exitCode: null, error: null, gpus: [], attemptStartedAt: record.startedAt ?? '',
    ...record,
  } as RunRecord;
}

/** Writes run.json so a reader never sees half a file: a temp file in the same folder, fsync, rename. */
export async function writeRunRecord(file: string, record: RunRecord): Promise<void> {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(JSON.stringify(record, null, 2) + '\n', 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
