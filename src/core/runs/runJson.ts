import { readFile } from 'node:fs/promises';
import type { RunStatus } from './types';

/** The fields of our own run.json that the explorer reads (the supervisor writes the rest). */
export interface RunJson {
  name: string | null;
  status: RunStatus;
  /** Epoch milliseconds. */
  startedAt: number | null;
  pid: number | null;
  /** /proc start time recorded at launch (tells a live worker from a recycled pid). */
  pidStartTime: string | null;
  host: string | null;
  /** Set for SLURM runs: the pid is not on this machine. */
  slurmJobId: string | null;
}

const STATUS: Record<string, RunStatus> = {
  queued: 'queued', pending: 'queued', starting: 'live', running: 'live', live: 'live',
  finished: 'finished', completed: 'finished', stopped: 'stopped', cancelled: 'stopped', crashed: 'crashed', failed: 'crashed',
};

export function parseRunJson(text: string, file = 'run.json'): RunJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${file}: expected a JSON object`);
  const run = raw as Record<string, unknown>;
  const started = run.startedAt ?? run.startTime ?? run.start_time;
  const startedAt = typeof started === 'number' ? (started < 1e12 ? started * 1000 : started)
    : typeof started === 'string' && !Number.isNaN(Date.parse(started)) ? Date.parse(started) : null;
  return {
    name: typeof run.name === 'string' ? run.name : null,
    status: (typeof run.status === 'string' && Object.hasOwn(STATUS, run.status) && STATUS[run.status]) || 'unknown',
    startedAt,
    pid: typeof run.pid === 'number' ? run.pid : null,
    pidStartTime: typeof run.pidStartTime === 'string' ? run.pidStartTime : null,
    host: typeof run.host === 'string' ? run.host : null,
    slurmJobId: typeof run.slurmJobId === 'string' || typeof run.slurmJobId === 'number' ? String(run.slurmJobId) : null,
  };
}

export async function readRunJson(file: string): Promise<RunJson> {
  return parseRunJson(await readFile(file, 'utf8'), file);
}
