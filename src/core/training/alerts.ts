import { describeError, type WorkerEvent } from './events';
import type { FitSuggestion } from './fit';

/** Something a person should hear about now, derived from the worker's events. */
export type Alert =
  | { kind: 'nan-loss'; step: number | null; message: string }
  | { kind: 'oom'; message: string; suggestions: FitSuggestion[] }
  | { kind: 'completed'; step: number | null; message: string };

const OOM = /CUDA out of memory|OutOfMemoryError|CUBLAS_STATUS_ALLOC_FAILED|out of memory/i;

export const isOomMessage = (message: string): boolean => OOM.test(message);

/**
 * A loss that is not a finite number: the worker names it in `nonfinite`, or (bare NaN/Infinity) the
 * value says so. Workers before `nonfinite` wrote NaN/inf as a lone null: for them a logged
 * `loss: null` still counts (a progress event's null loss means "none logged yet").
 */
function nonFiniteLoss(event: WorkerEvent): boolean {
  if (event.type !== 'log' && event.type !== 'progress') return false;
  if (event.nonfinite?.includes('loss')) return true;
  const loss = event.type === 'log' ? event.scalars.loss : event.loss;
  if (typeof loss === 'number') return !Number.isFinite(loss);
  return event.type === 'log' && event.nonfinite === null && 'loss' in event.scalars && loss === null;
}

/**
 * Alerts for one event. `seen` carries state across calls so a diverged loss is reported once per
 * attempt, not on every logging step. OOM suggestions are filled in by the caller (they need the model).
 */
export function alertFor(event: WorkerEvent, seen: { nan: boolean }): Alert | null {
  if (nonFiniteLoss(event) && !seen.nan) {
    seen.nan = true;
    const step = event.type === 'log' || event.type === 'progress' ? event.step : null;
    return {
      kind: 'nan-loss', step,
      message: `loss is not a finite number${step !== null ? ` at step ${step}` : ''}: training diverged. Lower lr, use bf16 instead of fp16 (fp16 overflows), or look for broken rows; resume from a checkpoint before the divergence.`,
    };
  }
  if (event.type === 'error' && isOomMessage(`${event.message}\n${event.traceback}`)) {
    return { kind: 'oom', message: `out of GPU memory: ${describeError(event).split('\n')[0]}`, suggestions: [] };
  }
  if (event.type === 'finished' && event.status === 'finished') {
    return { kind: 'completed', step: event.step, message: `training completed${event.step !== null ? ` at step ${event.step}` : ''}${event.finalDir ? `: ${event.finalDir}` : ''}` };
  }
  return null;
}
