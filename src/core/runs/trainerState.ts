import { readFile } from 'node:fs/promises';
import type { ScalarSeries } from '../tfevents/types';

/** The parts of HF Trainer's `trainer_state.json` that the explorer uses. */
export interface TrainerState {
  globalStep: number | null;
  maxSteps: number | null;
  epoch: number | null;
  bestMetric: number | null;
  bestModelCheckpoint: string | null;
  /** True when the Trainer recorded `should_training_stop` (training loop ended). */
  trainingStopped: boolean;
  logHistory: Record<string, unknown>[];
}

const finiteOrNull = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/** Parses trainer_state.json text; throws an error naming the file when it is not a JSON object. */
export function parseTrainerState(text: string, file = 'trainer_state.json'): TrainerState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${file}: expected a JSON object`);
  const state = raw as Record<string, unknown>;
  const history = Array.isArray(state.log_history)
    ? state.log_history.filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null)
    : [];
  const control = (state.stateful_callbacks as { TrainerControl?: { args?: { should_training_stop?: unknown } } } | undefined)
    ?.TrainerControl?.args?.should_training_stop;
  return {
    globalStep: finiteOrNull(state.global_step),
    maxSteps: finiteOrNull(state.max_steps),
    epoch: finiteOrNull(state.epoch),
    bestMetric: finiteOrNull(state.best_metric),
    bestModelCheckpoint: typeof state.best_model_checkpoint === 'string' ? state.best_model_checkpoint : null,
    trainingStopped: control === true,
    logHistory: history,
  };
}

export async function readTrainerState(file: string): Promise<TrainerState> {
  return parseTrainerState(await readFile(file, 'utf8'), file);
}

/**
 * The TensorBoard tag HF's TensorBoardCallback writes for a log_history key
 * (transformers `rewrite_logs`): `eval_loss` → `eval/loss`, `test_x` → `test/x`, else `train/<key>`.
 */
export function tagForLogKey(key: string): string {
  if (key.startsWith('eval_')) return `eval/${key.slice(5)}`;
  if (key.startsWith('test_')) return `test/${key.slice(5)}`;
  return `train/${key}`;
}

/**
 * log_history as scalar series, named as the Trainer names them in event files.
 * trainer_state.json has no wall times, so `wall` is NaN (relative/wall-time axes are unavailable).
 */
export function logHistorySeries(state: TrainerState): Map<string, ScalarSeries> {
  const series = new Map<string, ScalarSeries>();
  for (const entry of state.logHistory) {
    const step = entry.step;
    if (typeof step !== 'number' || !Number.isFinite(step)) continue;
    for (const [key, value] of Object.entries(entry)) {
      if (key === 'step' || typeof value !== 'number') continue;
      const tag = tagForLogKey(key);
      let line = series.get(tag);
      if (!line) series.set(tag, (line = { step: [], wall: [], value: [] }));
      line.step.push(step);
      line.wall.push(Number.NaN);
      line.value.push(value);
    }
  }
  return series;
}

/** Lowest `eval_loss` in log_history, or null when the run never evaluated. */
export function bestEvalLoss(state: TrainerState): number | null {
  let best: number | null = null;
  for (const entry of state.logHistory) {
    const loss = finiteOrNull(entry.eval_loss);
    if (loss !== null && (best === null || loss < best)) best = loss;
  }
  return best;
}

/** eval_loss logged at exactly `step`, if any. */
export function evalLossAt(state: TrainerState, step: number): number | null {
  for (const entry of state.logHistory) {
    if (entry.step === step) {
      const loss = finiteOrNull(entry.eval_loss);
      if (loss !== null) return loss;
    }
  }
  return null;
}
