import type { ScalarSeries } from '../tfevents/types';
import { tagForLogKey } from './trainerState';

/** Keys of LLaMA-Factory's trainer_log.jsonl that are bookkeeping, not scalars. */
const NOT_SCALARS = new Set(['current_steps', 'total_steps', 'percentage']);
const RENAMED: Record<string, string> = { lr: 'learning_rate' };

/**
 * LLaMA-Factory's `trainer_log.jsonl` (one object per logging step: current_steps, total_steps,
 * loss, lr, epoch, eval_loss, …) as series named like HF's TensorBoard tags. Lines that are not
 * JSON objects (a half-written last line) are skipped. No wall times: `wall` is NaN.
 */
export function trainerLogSeries(text: string): { series: Map<string, ScalarSeries>; totalSteps: number | null } {
  const series = new Map<string, ScalarSeries>();
  let totalSteps: number | null = null;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof entry !== 'object' || entry === null) continue;
    const record = entry as Record<string, unknown>;
    const step = record.current_steps;
    if (typeof step !== 'number' || !Number.isFinite(step)) continue;
    if (typeof record.total_steps === 'number') totalSteps = record.total_steps;
    for (const [key, value] of Object.entries(record)) {
      if (NOT_SCALARS.has(key) || typeof value !== 'number') continue;
      const tag = tagForLogKey(RENAMED[key] ?? key);
      let line = series.get(tag);
      if (!line) series.set(tag, (line = { step: [], wall: [], value: [] }));
      line.step.push(step);
      line.wall.push(Number.NaN);
      line.value.push(value);
    }
  }
  return { series, totalSteps };
}
