/**
 * The worker's data channel: one JSON object per line in <run>/events.jsonl, appended (a resume adds to
 * the same file). Contract: native-bin/llava_studio_worker/events.py. Every line has `type`, `time`
 * (epoch seconds) and `v` (schema version, 1):
 *
 *   started     run_dir, name, pid, host, method, model, resume_from, config
 *   progress    step, total, loss, it_s, eta_s, epoch, [nonfinite]
 *   log         step, epoch, scalars {name: number}, [nonfinite]   (the Trainer's logs: loss, grad_norm, eval_loss…)
 *   checkpoint  step, path
 *   warning     message, hint, [count, rows]
 *   error       message, hint, traceback
 *   finished    status ("finished" | "stopped"), step, metrics {name: number}, final_dir, checkpoint
 *
 * The worker writes non-finite floats as null and names them in `nonfinite` (a NaN loss is
 * `"scalars": {"loss": null}, "nonfinite": ["loss"]`), so a null that means "not a number" cannot be
 * taken for one that means "none yet". Workers before `nonfinite` wrote the null alone; bare
 * NaN/Infinity, as Python's json writes them by default, are read as numbers too.
 */

export type FinishStatus = 'finished' | 'stopped' | 'failed';

interface Base {
  time: number;
  /** Byte offset of the line in events.jsonl. */
  offset: number;
}

export interface StartedEvent extends Base { type: 'started'; pid: number | null; host: string | null; method: string | null; model: string | null; resumeFrom: string | null }
export interface ProgressEvent extends Base {
  type: 'progress';
  step: number;
  /** Total optimizer steps of the run (the Trainer's max_steps). */
  total: number | null;
  loss: number | null;
  itPerSec: number | null;
  etaSeconds: number | null;
  epoch: number | null;
  /** Fields whose value was NaN/inf (written as null); null when the worker did not say (older workers). */
  nonfinite: string[] | null;
}
export interface LogEvent extends Base {
  type: 'log';
  step: number | null;
  epoch: number | null;
  /** The Trainer's logged scalars; null where the worker wrote a non-finite value. */
  scalars: Record<string, number | null>;
  /** Scalars whose value was NaN/inf; null when the worker did not say (older workers). */
  nonfinite: string[] | null;
}
export interface CheckpointEvent extends Base { type: 'checkpoint'; step: number; path: string }
export interface WarningEvent extends Base { type: 'warning'; message: string; hint: string }
export interface ErrorEvent extends Base { type: 'error'; message: string; hint: string; traceback: string }
export interface FinishedEvent extends Base {
  type: 'finished';
  status: FinishStatus;
  step: number | null;
  metrics: Record<string, number | null>;
  finalDir: string | null;
  checkpoint: string | null;
}

export type WorkerEvent = StartedEvent | ProgressEvent | LogEvent | CheckpointEvent | WarningEvent | ErrorEvent | FinishedEvent;
export type WorkerEventType = WorkerEvent['type'];

/** Replaces Python's bare NaN / Infinity / -Infinity (outside strings) with marker strings JSON can carry. */
function pythonJson(line: string): string {
  if (!/NaN|Infinity/.test(line)) return line;
  let out = '';
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += line[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    const token = /^(-?Infinity|NaN)/.exec(line.slice(i, i + 9))?.[1];
    if (token) {
      out += `"\\u0000${token}"`; // an escaped NUL: no real string can start with it
      i += token.length - 1;
      continue;
    }
    out += c;
  }
  return out;
}

const SPECIAL: Record<string, number> = { '\u0000NaN': Number.NaN, '\u0000Infinity': Infinity, '\u0000-Infinity': -Infinity };
const revive = (_key: string, value: unknown): unknown => (typeof value === 'string' && value in SPECIAL ? SPECIAL[value] : value);

const numOrNull = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const names = (v: unknown): string[] | null => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null);

function numbers(value: unknown): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'number' || v === null) out[k] = v;
  return out;
}

const FINISH: Record<string, FinishStatus> = { finished: 'finished', completed: 'finished', stopped: 'stopped', failed: 'failed' };

/** Parses one line; throws with the reason when it is not an event. */
export function parseEventLine(line: string, offset = 0): WorkerEvent {
  const raw = JSON.parse(pythonJson(line), revive) as unknown;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('not a JSON object');
  const e = raw as Record<string, unknown>;
  const base = { time: typeof e.time === 'number' ? e.time : Number.NaN, offset };
  switch (e.type) {
    case 'started':
      return { ...base, type: 'started', pid: numOrNull(e.pid), host: strOrNull(e.host), method: strOrNull(e.method), model: strOrNull(e.model), resumeFrom: strOrNull(e.resume_from) };
    case 'progress': {
      const step = numOrNull(e.step);
      if (step === null) throw new Error('progress event without a numeric step');
      return {
        ...base, type: 'progress', step, total: numOrNull(e.total), loss: numOrNull(e.loss), itPerSec: numOrNull(e.it_s), etaSeconds: numOrNull(e.eta_s),
        epoch: numOrNull(e.epoch), nonfinite: names(e.nonfinite),
      };
    }
    case 'log':
      return { ...base, type: 'log', step: numOrNull(e.step), epoch: numOrNull(e.epoch), scalars: numbers(e.scalars), nonfinite: names(e.nonfinite) };
    case 'checkpoint': {
      const path = str(e.path);
      const step = numOrNull(e.step) ?? Number(/checkpoint-(\d+)/.exec(path)?.[1] ?? Number.NaN);
      return { ...base, type: 'checkpoint', step, path: path || `checkpoint-${step}` };
    }
    case 'warning':
      return { ...base, type: 'warning', message: str(e.message), hint: str(e.hint) };
    case 'error':
      return { ...base, type: 'error', message: str(e.message, 'the worker reported an error'), hint: str(e.hint), traceback: str(e.traceback) };
    case 'finished':
      return {
        ...base, type: 'finished', status: e.status === undefined ? 'finished' : FINISH[str(e.status)] ?? 'failed',
        step: numOrNull(e.step), metrics: numbers(e.metrics), finalDir: strOrNull(e.final_dir), checkpoint: strOrNull(e.checkpoint),
      };
    default:
      throw new Error(`unknown event type ${JSON.stringify(e.type)}`);
  }
}

/** An error event as one line for people: the message, plus the hint when the message does not already hold it. */
export function describeError(event: Pick<ErrorEvent, 'message' | 'hint'>): string {
  return event.hint && !event.message.includes(event.hint) ? `${event.message} (${event.hint})` : event.message;
}
