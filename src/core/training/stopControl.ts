/**
 * Stopping a run: the SIGKILL deadline a stop writes into run.json (so any window that follows the run
 * can enforce it, after a reload too), and the signals themselves, local or through SLURM.
 */
import { isSameProcess, signalTree, type KillFn } from './processInfo';
import type { RunRecord } from './runRecord';
import type { SlurmClient } from './slurm';

/**
 * run.json's stop fields after a stop asked at `now` with `graceMs`: the first request's time is kept,
 * and a later request can only bring the deadline closer (a second Ctrl-C kills at once).
 */
export function stopFields(record: Pick<RunRecord, 'stopRequestedAt' | 'stopGraceMs'>, now: number, graceMs: number): { stopRequestedAt: string; stopGraceMs: number; deadline: number } {
  const asked = record.stopRequestedAt === null ? now : Date.parse(record.stopRequestedAt);
  const earlier = record.stopRequestedAt !== null && record.stopGraceMs !== null ? asked + record.stopGraceMs : Infinity;
  const deadline = Math.min(earlier, now + Math.max(0, graceMs));
  return { stopRequestedAt: new Date(asked).toISOString(), stopGraceMs: deadline - asked, deadline };
}

/** A stop was asked, has not been forced yet, and its grace period is over (`fallbackGraceMs` for a run.json without one). */
export function forceDue(record: Pick<RunRecord, 'stopRequestedAt' | 'stopGraceMs' | 'stopForcedAt'>, now: number, fallbackGraceMs: number): boolean {
  if (record.stopRequestedAt === null || record.stopForcedAt !== null) return false;
  return now >= Date.parse(record.stopRequestedAt) + (record.stopGraceMs ?? fallbackGraceMs);
}

export interface SignalContext {
  /** We spawned this worker ourselves (its group id cannot be reused while any member lives). */
  ownChild: boolean;
  kill: KillFn;
  slurm: SlurmClient;
}

/**
 * SIGTERM / SIGKILL to a run's worker (see signalTree for who gets which), or scancel --signal=TERM /
 * scancel for a SLURM job; never to a pid that is no longer the recorded process. False when SLURM
 * could not be reached (the caller tries again).
 */
export async function signalRun(record: RunRecord, signal: 'SIGTERM' | 'SIGKILL', context: SignalContext): Promise<boolean> {
  if (record.plan.kind === 'slurm') {
    if (!record.slurmJobId) return true;
    const job = record.slurmJobId;
    return (signal === 'SIGTERM' ? context.slurm.terminate(job) : context.slurm.cancel(job)).then(() => true, () => false);
  }
  if (record.pid === null) return true;
  const ours = context.ownChild || isSameProcess({ pid: record.pid, pidStartTime: record.pidStartTime, runDir: record.plan.runDir }, context.kill);
  if (ours) signalTree(record.pid, signal, context.kill);
  return true;
}
