import { is, MessageError, type Check, type NotifyEnvelope, type ReplyEnvelope, type RequestEnvelope } from './envelope';

/** One run/tag line. Typed arrays travel to the webview without JSON encoding. */
export interface SeriesData {
  run: string;
  tag: string;
  step: Float64Array;
  /** Wall time in seconds since the epoch. */
  wall: Float64Array;
  value: Float64Array;
}

export interface ScalarsRun {
  /** Stable id: the run folder's absolute path. */
  id: string;
  name: string;
  status: string;
  /** Text summaries (args/config) shown in the run's details. */
  texts: { tag: string; text: string }[];
  damage: { file: string; offset: number; reason: string }[];
  /** Where the scalars came from; `pending` until the first read finished. Explains an empty run. */
  origin: 'events' | 'trainer_state' | 'none' | 'pending';
  /** How many TensorBoard event files the run has (a run with files but no scalars is graph/text-only). */
  eventFiles: number;
  /** Why reading the run failed, when it did (the panel shows it instead of charts). */
  error: string | null;
}

export type XAxis = 'step' | 'relative' | 'wall';

/** What the panel remembers across reloads (webview setState + WebviewPanelSerializer). */
export interface ScalarsViewState {
  runIds: string[];
  hiddenRuns: string[];
  smoothing: number;
  xAxis: XAxis;
  tagFilter: string;
  logY: boolean;
  ignoreOutliers: boolean;
  envelope: boolean;
  collapsedGroups: string[];
}

export interface ScalarsSettings {
  maxPointsPerLine: number;
  defaultSmoothing: number;
}

/** Host → webview. */
export type ScalarsHostMessage =
  | NotifyEnvelope<'init', { runs: ScalarsRun[]; series: SeriesData[]; settings: ScalarsSettings; state: ScalarsViewState | null }>
  /** New points appended to existing lines (or new lines). */
  | NotifyEnvelope<'append', { series: SeriesData[] }>
  /** A run's lines were rebuilt (file replaced, resume de-duplication): drop its points, then use these. */
  | NotifyEnvelope<'replaceRun', { run: string; series: SeriesData[] }>
  | NotifyEnvelope<'runs', { runs: ScalarsRun[] }>
  /** Show only tags matching this regex (the panel was opened again from a tag). */
  | NotifyEnvelope<'setTagFilter', { tagFilter: string }>
  | ReplyEnvelope<ExportResult>;

export interface ExportParams {
  format: 'csv' | 'json' | 'png';
  tag: string;
  /** PNG only: `data:image/png;base64,...` of the card's canvas. */
  dataUrl?: string;
}

/** Reply to `export`: where the file went, or that the user cancelled the Save dialog. */
export type ExportResult = { path: string } | { cancelled: true };

/** Webview → host. */
export type ScalarsWebviewMessage =
  | NotifyEnvelope<'ready', Record<string, never>>
  | NotifyEnvelope<'state', ScalarsViewState>
  /** ms: from the bundle starting to run to the first frame showing every on-screen card; points: raw points loaded. */
  | NotifyEnvelope<'firstPaint', { ms: number; points: number }>
  | RequestEnvelope<'export', ExportParams>;

const viewState: Check = is.object({
  runIds: is.array(is.maxLength(4096), 1000),
  hiddenRuns: is.array(is.maxLength(4096), 1000),
  smoothing: (v, p) => { is.number(v, p); if ((v as number) < 0 || (v as number) > 0.999) throw new MessageError(p, `expected 0..0.999, got ${String(v)}`); },
  xAxis: is.literal('step', 'relative', 'wall'),
  tagFilter: is.maxLength(1000),
  logY: is.boolean,
  ignoreOutliers: is.boolean,
  envelope: is.boolean,
  collapsedGroups: is.array(is.maxLength(1000), 1000),
});

const checks: Record<string, Check> = {
  'notify:ready': is.object({ kind: is.literal('notify'), type: is.literal('ready'), payload: is.object({}) }),
  'notify:state': is.object({ kind: is.literal('notify'), type: is.literal('state'), payload: viewState }),
  'notify:firstPaint': is.object({ kind: is.literal('notify'), type: is.literal('firstPaint'), payload: is.object({ ms: is.number, points: is.integer }) }),
  'request:export': is.object({
    kind: is.literal('request'), id: is.integer, method: is.literal('export'),
    params: is.object({ format: is.literal('csv', 'json', 'png'), tag: is.maxLength(1000), dataUrl: is.optional(is.maxLength(50_000_000)) }),
  }),
};

/** Validates an inbound message from the Scalars webview; throws MessageError naming the bad field. */
export function parseScalarsWebviewMessage(message: unknown): ScalarsWebviewMessage {
  if (typeof message !== 'object' || message === null) throw new Error('invalid message: not an object');
  const m = message as { kind?: unknown; type?: unknown; method?: unknown };
  const key = `${String(m.kind)}:${String(m.kind === 'request' ? m.method : m.type)}`;
  const check = checks[key];
  if (!check) throw new Error(`invalid message: unknown ${key}`);
  check(message, 'message');
  return message as ScalarsWebviewMessage;
}

export function isScalarsViewState(value: unknown): value is ScalarsViewState {
  try { viewState(value, 'state'); return true; } catch { return false; }
}
