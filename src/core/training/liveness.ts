import { isAlive, isSameProcess, type KillFn } from './processInfo';
import type { RunRecord, RunState } from './runRecord';
import { SLURM_DONE, type SlurmClient } from './slurm';

export interface Liveness {
  alive: boolean;
  /** For SLURM: queued or running, as the scheduler now says (null when unknown or gone). */
  status: RunState | null;
}

export interface LivenessContext {
  /** How our own child exited: undefined = not ours, null = still running. */
  ownChildExit: { code: number | null; signal: string | null } | null | undefined;
  /** The attempt already wrote `finished` (all a run on another host can tell us). */
  finished: boolean;
  hostname: string;
  kill: KillFn;
  slurm: SlurmClient;
}

/** Whether a run's worker still lives: our child's group, a pid proven to be the same process, or the SLURM job's state. */
export async function workerLiveness(record: RunRecord, context: LivenessContext): Promise<Liveness> {
  if (record.plan.kind === 'slurm') {
    if (!record.slurmJobId) return { alive: false, status: null };
    const state = await context.slurm.state(record.slurmJobId).catch(() => 'UNKNOWN');
    if (state === null || SLURM_DONE.has(state)) return { alive: false, status: null };
    return { alive: true, status: state === 'UNKNOWN' ? null : state === 'PENDING' ? 'queued' : 'running' };
  }
  if (record.pid === null) return { alive: false, status: null };
  if (context.ownChildExit !== undefined) return { alive: context.ownChildExit === null || isAlive(-record.pid, context.kill), status: null };
  if (record.host !== context.hostname) return { alive: !context.finished, status: null }; // another machine's pid
  return { alive: isSameProcess({ pid: record.pid, pidStartTime: record.pidStartTime, runDir: record.plan.runDir }, context.kill), status: null };
}
