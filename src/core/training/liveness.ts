import { isAlive, isSameProcess, type KillFn } from './processInfo';
import type { RunRecord, RunState } from './runRecord';
import { SLURM_DONE, SLURM_WAITING, type SlurmClient } from './slurm';

export interface Liveness {
  alive: boolean;
  /** For SLURM: queued (pending, requeued, preempted) or running, as the scheduler now says (null when unknown or gone). */
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
    // Only a job SLURM has forgotten or finished is over; an unanswered query (UNKNOWN) keeps the run followed.
    const state = await context.slurm.state(record.slurmJobId).catch(() => 'UNKNOWN');
    if (state === null || SLURM_DONE.has(state)) return { alive: false, status: null };
    return { alive: true, status: state === 'UNKNOWN' ? null : SLURM_WAITING.has(state) ? 'queued' : 'running' };
  }
  if (record.pid === null) return { alive: false, status: null };
  if (context.ownChildExit !== undefined) return { alive: context.ownChildExit === null || isAlive(-record.pid, context.kill), status: null };
  if (record.host !== context.hostname) return { alive: !context.finished, status: null }; // another machine's pid
  return { alive: isSameProcess({ pid: record.pid, pidStartTime: record.pidStartTime, runDir: record.plan.runDir }, context.kill), status: null };
}

/** When to ask the SLURM controller again (it is shared by everyone): every `intervalMs`, and at once after `soon()`. */
export class PollGate {
  private dueNow = true;
  private last = -Infinity;

  constructor(private readonly intervalMs: number, private readonly clock: () => number = Date.now) {}

  soon(): void {
    this.dueNow = true;
  }

  /** True when a query is due now (and counts it as made). */
  take(): boolean {
    const now = this.clock();
    if (!this.dueNow && now - this.last < this.intervalMs) return false;
    this.dueNow = false;
    this.last = now;
    return true;
  }
}
