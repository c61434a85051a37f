import { describeError, type ErrorEvent, type FinishedEvent } from './events';
import type { RunState } from './runRecord';

export interface OutcomeInput {
  /** The attempt's `finished` event, if the worker wrote one. */
  finished: FinishedEvent | null;
  errors: ErrorEvent[];
  stopRequested: boolean;
  /** The stop escalated to SIGKILL / scancel after its grace period. */
  forced: boolean;
  /** How our own child exited; undefined when we did not spawn it (reattached, SLURM). */
  exit: { code: number | null; signal: string | null } | null | undefined;
}

/**
 * How a run ended, once its worker is gone: the worker's own word (`finished`) first, then a stop we
 * had to force, then its last error (a stop that went wrong is a failure, not a stop), else a stop
 * without a word, else a crash.
 */
export function decideOutcome(input: OutcomeInput): { status: RunState; message: string | null } {
  const lastError = input.errors[input.errors.length - 1];
  if (input.finished) {
    const status = input.finished.status;
    return { status, message: status === 'failed' ? (lastError ? describeError(lastError) : 'the worker reported a failure') : null };
  }
  if (input.stopRequested && input.forced) return { status: 'stopped', message: 'stopped by force after the grace period: no checkpoint was written at the stop' };
  if (lastError) return { status: 'failed', message: describeError(lastError) };
  if (input.stopRequested) return { status: 'stopped', message: 'the worker ended without confirming the stop: the newest checkpoint may predate it; see train.log' };
  const exit = input.exit;
  const how = exit ? (exit.signal ? ` (killed by ${exit.signal})` : ` with code ${exit.code}`) : '';
  return { status: 'crashed', message: `the worker exited${how} without reporting an end; see train.log` };
}
