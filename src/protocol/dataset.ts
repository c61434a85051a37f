/**
 * Messages between the Dataset Preview webview and the extension host. Rows travel as plain data
 * (text parts, image descriptors without bytes); thumbnails travel one by one as data URLs. Every
 * message the webview sends is validated here before the host acts on it.
 */
import { is, MessageError, type Check, type NotifyEnvelope, type ReplyEnvelope, type RequestEnvelope } from './envelope';

/** The core's problem codes (src/core/datasets/types.ts PROBLEM_CODES; a unit test keeps them equal). */
export const ISSUE_CODES = [
  'invalid_json', 'missing_field', 'bad_role_order', 'empty_turn', 'image_missing', 'image_unreadable',
  'image_too_large', 'image_outside_root', 'image_token_mismatch', 'unsupported_content', 'too_long', 'duplicate_id',
] as const;
export type IssueCode = (typeof ISSUE_CODES)[number];

/** Most rows one `rows` request may ask for (a page is 50; a tall window needs a few pages). */
export const MAX_ROWS_PER_REQUEST = 500;

export interface DatasetInfo {
  /** Absolute path of what was opened (file, or folder for arrow/parquet). */
  path: string;
  name: string;
  format: string;
  splits: string[];
  split: string | null;
  imageRoot: string;
  totalBytes: number;
  /** JSON/JSONL: problems link to lines in the editor. */
  hasLines: boolean;
}

export interface IndexState {
  rowsFound: number;
  bytesScanned: number;
  totalBytes: number;
  done: boolean;
  cancelled: boolean;
  error: string | null;
}

/** Token-length histogram: `counts[i]` rows have a length in (i·binWidth, (i+1)·binWidth] (bin 0 also holds 0). The max length is a bin edge. */
export interface Histogram {
  binWidth: number;
  counts: number[];
}

export interface ValidationState {
  rowsChecked: number;
  totalRows: number;
  done: boolean;
  error: string | null;
  rowsWithProblems: number;
  images: number;
  turns: number;
  counts: Record<IssueCode, number>;
  tokenBasis: string;
  imageTokensPerImage: number;
  maxLength: number;
  modelDir: string | null;
  histogram: Histogram;
  maxTokens: number;
  meanTokens: number;
  overLimit: number;
}

export interface ViewFilter {
  problemsOnly: boolean;
  /** Only rows with at least one of these codes (empty: any code, when problemsOnly). */
  codes: IssueCode[];
  /** Case-insensitive text search over turns, ids and image paths ('' = no search). */
  query: string;
}

export interface ViewInfo {
  viewId: number;
  /** Positions in the view (rows that match so far). */
  count: number;
  /** Rows looked at so far, of `total`. */
  scanned: number;
  total: number;
  done: boolean;
  filter: ViewFilter;
}

export type ImageView =
  | { kind: 'file'; written: string; path: string }
  | { kind: 'embedded'; written: string | null; ext: string; bytes: number }
  | { kind: 'url'; url: string };

export type PartView =
  | { type: 'text'; text: string }
  | { type: 'image'; image: number }
  | { type: 'unsupported'; kind: string; detail: string };

export interface RowView {
  index: number;
  line: number | null;
  id: string | null;
  messages: { role: string; content: PartView[] }[];
  images: ImageView[];
  problems: { code: IssueCode; message: string }[];
  tokens: number | null;
}

/** What the panel remembers across reloads (webview setState + the serializer). */
export interface DatasetViewState {
  path: string;
  split: string | null;
  filter: ViewFilter;
  /** Row index at the top of the list. */
  topRow: number;
  modelDir: string | null;
  maxLength: number | null;
  imageRoot: string | null;
}

export type Notice = { kind: 'imagesUnresolved'; message: string } | { kind: 'error'; message: string } | { kind: 'info'; message: string };

export interface InitPayload {
  info: DatasetInfo;
  index: IndexState;
  validation: ValidationState | null;
  view: ViewInfo;
  state: DatasetViewState;
  notice: Notice | null;
}

export type ThumbnailResult =
  | { dataUrl: string; width: number; height: number; sourceWidth: number; sourceHeight: number }
  | { error: string; code: 'image_missing' | 'image_unreadable' | 'image_too_large' | 'url' | 'skipped' };

/** `opened`: shown in VS Code; `dataUrl`: show it in the panel's lightbox (embedded bytes). */
export type OpenImageResult = { opened: true } | { dataUrl: string; width: number; height: number; sourceWidth: number; sourceHeight: number };

export interface RowsResult {
  viewId: number;
  start: number;
  rows: RowView[];
}

/** Host → webview. */
export type DatasetHostMessage =
  | NotifyEnvelope<'init', InitPayload>
  /** Opening failed: nothing can be shown but this. */
  | NotifyEnvelope<'failed', { path: string; message: string }>
  | NotifyEnvelope<'index', IndexState>
  | NotifyEnvelope<'validation', ValidationState>
  | NotifyEnvelope<'view', ViewInfo>
  | NotifyEnvelope<'notice', { notice: Notice | null }>
  | ReplyEnvelope<unknown>;

/** Request methods and what their replies carry. */
export interface DatasetResults {
  rows: RowsResult;
  setFilter: ViewInfo;
  locate: { position: number | null };
  thumbnail: ThumbnailResult;
  openImage: OpenImageResult;
  openLine: { opened: boolean };
  cancelIndex: { cancelled: boolean };
  setSplit: { ok: true };
  chooseModel: { modelDir: string | null };
  setMaxLength: { ok: true };
  chooseImageRoot: { imageRoot: string | null };
}

/** Webview → host. */
export type DatasetWebviewMessage =
  | NotifyEnvelope<'ready', Record<string, never>>
  | NotifyEnvelope<'state', DatasetViewState>
  /** Positions on screen now: thumbnails for rows far from here are skipped. */
  | NotifyEnvelope<'visible', { viewId: number; start: number; end: number }>
  | RequestEnvelope<'rows', { viewId: number; start: number; end: number }>
  | RequestEnvelope<'setFilter', ViewFilter>
  | RequestEnvelope<'locate', { viewId: number; row: number }>
  | RequestEnvelope<'thumbnail', { row: number; image: number }>
  | RequestEnvelope<'openImage', { row: number; image: number }>
  | RequestEnvelope<'openLine', { row: number }>
  | RequestEnvelope<'cancelIndex', Record<string, never>>
  | RequestEnvelope<'setSplit', { split: string }>
  /** `pick`: folder dialog; `setting`: back to llavaStudio.datasets.tokenizerModel; `estimate`: no model. */
  | RequestEnvelope<'chooseModel', { mode: 'pick' | 'setting' | 'estimate' }>
  | RequestEnvelope<'setMaxLength', { value: number }>
  | RequestEnvelope<'chooseImageRoot', Record<string, never>>;

const MAX_ROW = 2 ** 32 - 2;

const count = (max: number): Check => (v, p) => {
  is.integer(v, p);
  if ((v as number) < 0 || (v as number) > max) throw new MessageError(p, `expected 0..${max}, got ${String(v)}`);
};

const filter: Check = is.object({
  problemsOnly: is.boolean,
  codes: is.array(is.literal(...ISSUE_CODES), ISSUE_CODES.length),
  query: is.maxLength(1000),
});

const nullable = (inner: Check): Check => (v, p) => { if (v !== null) inner(v, p); };

const viewState: Check = is.object({
  path: is.maxLength(4096),
  split: nullable(is.maxLength(500)),
  filter,
  topRow: count(MAX_ROW),
  modelDir: nullable(is.maxLength(4096)),
  maxLength: nullable(count(10_000_000)),
  imageRoot: nullable(is.maxLength(4096)),
});

const range: Check = (v, p) => {
  is.object({ viewId: count(MAX_ROW), start: count(MAX_ROW), end: count(MAX_ROW) })(v, p);
  const { start, end } = v as { start: number; end: number };
  if (end < start) throw new MessageError(p, `end ${end} is before start ${start}`);
  if (end - start > MAX_ROWS_PER_REQUEST) throw new MessageError(p, `more than ${MAX_ROWS_PER_REQUEST} rows asked for (${end - start})`);
};

const empty = is.object({});
const image = is.object({ row: count(MAX_ROW), image: count(100_000) });

const params: Record<string, Check> = {
  rows: range,
  setFilter: filter,
  locate: is.object({ viewId: count(MAX_ROW), row: count(MAX_ROW) }),
  thumbnail: image,
  openImage: image,
  openLine: is.object({ row: count(MAX_ROW) }),
  cancelIndex: empty,
  setSplit: is.object({ split: is.maxLength(500) }),
  chooseModel: is.object({ mode: is.literal('pick', 'setting', 'estimate') }),
  setMaxLength: is.object({ value: (v, p) => { count(10_000_000)(v, p); if ((v as number) < 1) throw new MessageError(p, 'expected a positive length'); } }),
  chooseImageRoot: empty,
};

const notifies: Record<string, Check> = {
  ready: empty,
  state: viewState,
  visible: range,
};

/** Validates an inbound message from the Dataset Preview webview; throws MessageError naming the bad field. */
export function parseDatasetWebviewMessage(message: unknown): DatasetWebviewMessage {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) throw new Error('invalid message: not an object');
  const m = message as { kind?: unknown; type?: unknown; method?: unknown };
  if (m.kind === 'notify') {
    const check = typeof m.type === 'string' && Object.hasOwn(notifies, m.type) ? notifies[m.type] : undefined;
    if (!check) throw new Error(`invalid message: unknown notify:${String(m.type)}`);
    is.object({ kind: is.literal('notify'), type: is.literal(m.type), payload: check })(message, 'message');
  } else if (m.kind === 'request') {
    const check = typeof m.method === 'string' && Object.hasOwn(params, m.method) ? params[m.method] : undefined;
    if (!check) throw new Error(`invalid message: unknown request:${String(m.method)}`);
    is.object({ kind: is.literal('request'), id: count(MAX_ROW), method: is.literal(m.method), params: check })(message, 'message');
  } else {
    throw new Error(`invalid message: unknown kind ${String(m.kind)}`);
  }
  return message as DatasetWebviewMessage;
}

export function isDatasetViewState(value: unknown): value is DatasetViewState {
  try { viewState(value, 'state'); return true; } catch { return false; }
}

export const NO_FILTER: ViewFilter = { problemsOnly: false, codes: [], query: '' };

/** A filter that keeps every row. */
export function isEmptyFilter(f: ViewFilter): boolean {
  return !f.problemsOnly && f.codes.length === 0 && f.query.trim() === '';
}
