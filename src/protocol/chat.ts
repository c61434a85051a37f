/**
 * Messages between the Ask LLaVA panel (webview/chat) and its host (src/ui/chat). The webview never
 * names a file path or a backend config: it sends target ids and image sources the host resolves and
 * checks. Everything it sends is validated here before use.
 */
import { is, MessageError, type Check, type NotifyEnvelope, type ReplyEnvelope, type RequestEnvelope } from './envelope';

export type Slot = 0 | 1;

export interface GenerationSettings {
  maxNewTokens: number;
  /** Ignored when greedy. */
  temperature: number;
  topP: number;
  greedy: boolean;
  /** Keep generating past end-of-sequence until maxNewTokens (throughput checks, long answers). */
  ignoreEos: boolean;
}

export const DEFAULT_GENERATION: GenerationSettings = { maxNewTokens: 256, temperature: 0.7, topP: 0.9, greedy: true, ignoreEos: false };
export const MAX_NEW_TOKENS_LIMIT = 32_768;

/** A backend/model the panel can send to; the id is opaque to the webview. */
export interface TargetInfo {
  id: string;
  kind: 'onnx' | 'openai' | 'worker';
  label: string;
  /** Second line: folder, server, adapter. */
  detail: string;
  /** Why it cannot be used now (not downloaded, untrusted workspace…); null when usable. */
  problem: string | null;
}

/** A shortlisted model offered for download when no local model is configured. */
export interface ShortlistOffer {
  repo: string;
  label: string;
  approxMb: number;
  notes: string;
  downloaded: boolean;
}

export interface Onboarding {
  /** No usable target at all: the panel shows the model picker instead of the prompt box. */
  needed: boolean;
  /** What is wrong with `llavaStudio.chat.onnxModel`, when it is set but unusable. */
  problem: string | null;
  shortlist: ShortlistOffer[];
}

export interface ImageView {
  id: string;
  name: string;
  /** Where it came from, for the tooltip: a workspace-relative path, "pasted", a URL. */
  origin: string;
  mime: string;
  /** Display bytes (the original, or a PNG preview for formats a browser cannot show). */
  bytes: Uint8Array | null;
  /** Why it cannot be shown (file gone, unreadable). */
  missing: string | null;
}

export type AnswerStatus = 'waiting' | 'streaming' | 'done' | 'stopped' | 'error';

export interface AnswerMeta {
  backend: string;
  model: string;
  tokens: number;
  ttft_ms: number;
  tokens_per_s: number;
  finishReason: 'eos' | 'length' | 'stopped';
}

export interface AnswerView {
  slot: Slot;
  targetLabel: string;
  text: string;
  status: AnswerStatus;
  /** Coarse progress before the first token ("loading model"). */
  stage: string | null;
  error: { message: string; hint: string | null } | null;
  meta: AnswerMeta | null;
}

export interface TurnView {
  id: string;
  prompt: string;
  imageIds: string[];
  answers: AnswerView[];
}

export interface ConversationView {
  id: string;
  title: string;
  images: ImageView[];
  /** Images added since the last turn: they go with the next prompt. */
  pendingImageIds: string[];
  turns: TurnView[];
}

/** What the webview keeps through setState (and the serializer gets back after a reload). */
export interface ChatViewState {
  conversationId: string;
  draft: string;
  settings: GenerationSettings;
  targets: [string, string | null];
  compare: boolean;
}

export type ImageSource =
  | { kind: 'dataUrl'; dataUrl: string; name: string }
  /** Dragged from the Explorer: must lie inside a workspace folder. */
  | { kind: 'uri'; uri: string }
  /** Pasted or dropped as text by the user. */
  | { kind: 'url'; url: string }
  /** Ask the host to show an Open dialog. */
  | { kind: 'pick' };

export type PanelAction =
  | { name: 'downloadModel'; repo: string }
  | { name: 'useLocalFolder' }
  | { name: 'openSettings' }
  | { name: 'setOpenAiKey' }
  | { name: 'newChat' };

export interface AddToDatasetParams {
  turnId: string;
  slot: Slot;
  prompt: string;
  answer: string;
}

export type AddToDatasetResult = { path: string; line: number; copiedImages: string[] } | { cancelled: true };

/** Host → webview. */
export type ChatHostMessage =
  | NotifyEnvelope<'init', { conversation: ConversationView; targets: TargetInfo[]; onboarding: Onboarding; trusted: boolean; state: ChatViewState | null; busy: boolean }>
  | NotifyEnvelope<'targets', { targets: TargetInfo[]; onboarding: Onboarding }>
  | NotifyEnvelope<'image', { image: ImageView; pending: boolean }>
  | NotifyEnvelope<'turn', { turn: TurnView }>
  /** `offset`: the answer's length before `text`, so a page that reconnected mid-stream never doubles text. */
  | NotifyEnvelope<'token', { turnId: string; slot: Slot; offset: number; text: string }>
  | NotifyEnvelope<'answer', { turnId: string; answer: AnswerView }>
  | NotifyEnvelope<'busy', { busy: boolean }>
  | NotifyEnvelope<'conversation', { conversation: ConversationView }>
  | NotifyEnvelope<'notice', { text: string; error: boolean }>
  | ReplyEnvelope<unknown>;

export interface ChatResults {
  send: { turnId: string };
  stop: { stopped: number };
  regenerate: { turnId: string };
  addImage: { imageId: string } | { cancelled: true };
  removeImage: { removed: boolean };
  copyMarkdown: { chars: number };
  addToDataset: AddToDatasetResult;
  action: { done: boolean };
}

/** Webview → host. */
export type ChatWebviewMessage =
  | NotifyEnvelope<'ready', Record<string, never>>
  | NotifyEnvelope<'state', ChatViewState>
  | RequestEnvelope<'send', { prompt: string; targets: string[]; settings: GenerationSettings }>
  | RequestEnvelope<'stop', Record<string, never>>
  | RequestEnvelope<'regenerate', { turnId: string; targets: string[]; settings: GenerationSettings }>
  | RequestEnvelope<'addImage', { source: ImageSource }>
  | RequestEnvelope<'removeImage', { imageId: string }>
  | RequestEnvelope<'copyMarkdown', { turnId: string | null }>
  | RequestEnvelope<'addToDataset', AddToDatasetParams>
  | RequestEnvelope<'action', { action: PanelAction }>;

const range = (min: number, max: number, integer = false): Check => (v, p) => {
  (integer ? is.integer : is.number)(v, p);
  if ((v as number) < min || (v as number) > max) throw new MessageError(p, `expected ${min}..${max}, got ${String(v)}`);
};

const id = is.maxLength(200);
const slot = is.literal(0, 1);
/** 64 MB of base64 ≈ 48 MB of image. */
const MAX_DATA_URL = 64 * 1024 * 1024;
export const MAX_PROMPT_CHARS = 100_000;

export const settingsCheck: Check = is.object({
  maxNewTokens: range(1, MAX_NEW_TOKENS_LIMIT, true),
  temperature: range(0, 2),
  topP: range(0, 1),
  greedy: is.boolean,
  ignoreEos: is.boolean,
});

const targetsCheck: Check = (v, p) => {
  is.array(is.maxLength(4096), 2)(v, p);
  if ((v as unknown[]).length === 0) throw new MessageError(p, 'expected at least one target');
};

const viewState: Check = is.object({
  conversationId: id,
  draft: is.maxLength(MAX_PROMPT_CHARS),
  settings: settingsCheck,
  targets: (v, p) => {
    if (!Array.isArray(v) || v.length !== 2) throw new MessageError(p, 'expected [target, target|null]');
    is.maxLength(4096)(v[0], `${p}[0]`);
    if (v[1] !== null) is.maxLength(4096)(v[1], `${p}[1]`);
  },
  compare: is.boolean,
});

const imageSource: Check = (v, p) => {
  const kind = (v as { kind?: unknown } | null)?.kind;
  if (kind === 'dataUrl') is.object({ kind: is.literal('dataUrl'), dataUrl: is.maxLength(MAX_DATA_URL), name: is.maxLength(255) })(v, p);
  else if (kind === 'uri') is.object({ kind: is.literal('uri'), uri: is.maxLength(8192) })(v, p);
  else if (kind === 'url') is.object({ kind: is.literal('url'), url: is.maxLength(8192) })(v, p);
  else if (kind === 'pick') is.object({ kind: is.literal('pick') })(v, p);
  else throw new MessageError(`${p}.kind`, `expected dataUrl, uri, url or pick, got ${JSON.stringify(kind)}`);
};

const action: Check = (v, p) => {
  const name = (v as { name?: unknown } | null)?.name;
  if (name === 'downloadModel') is.object({ name: is.literal('downloadModel'), repo: is.maxLength(200) })(v, p);
  else if (name === 'useLocalFolder' || name === 'openSettings' || name === 'setOpenAiKey' || name === 'newChat') is.object({ name: is.literal(name) })(v, p);
  else throw new MessageError(`${p}.name`, `unknown action ${JSON.stringify(name)}`);
};

const request = (method: string, params: Check): Check => is.object({ kind: is.literal('request'), id: is.integer, method: is.literal(method), params });
const notify = (type: string, payload: Check): Check => is.object({ kind: is.literal('notify'), type: is.literal(type), payload });

const checks: Record<string, Check> = {
  'notify:ready': notify('ready', is.object({})),
  'notify:state': notify('state', viewState),
  'request:send': request('send', is.object({ prompt: is.maxLength(MAX_PROMPT_CHARS), targets: targetsCheck, settings: settingsCheck })),
  'request:stop': request('stop', is.object({})),
  'request:regenerate': request('regenerate', is.object({ turnId: id, targets: targetsCheck, settings: settingsCheck })),
  'request:addImage': request('addImage', is.object({ source: imageSource })),
  'request:removeImage': request('removeImage', is.object({ imageId: id })),
  'request:copyMarkdown': request('copyMarkdown', is.object({ turnId: (v, p) => { if (v !== null) id(v, p); } })),
  'request:addToDataset': request('addToDataset', is.object({ turnId: id, slot, prompt: is.maxLength(MAX_PROMPT_CHARS), answer: is.maxLength(10 * MAX_PROMPT_CHARS) })),
  'request:action': request('action', is.object({ action })),
};

/** Validates an inbound message from the chat webview; throws naming the bad field. */
export function parseChatWebviewMessage(message: unknown): ChatWebviewMessage {
  if (typeof message !== 'object' || message === null) throw new Error('invalid message: not an object');
  const m = message as { kind?: unknown; type?: unknown; method?: unknown };
  const key = `${String(m.kind)}:${String(m.kind === 'request' ? m.method : m.type)}`;
  const check = checks[key];
  if (!check) throw new Error(`invalid message: unknown ${key}`);
  check(message, 'message');
  return message as ChatWebviewMessage;
}

export function isChatViewState(value: unknown): value is ChatViewState {
  try { viewState(value, 'state'); return true; } catch { return false; }
}

/** The request id of a message that failed validation, so the host can still reply with the error. */
export function requestIdOf(message: unknown): number | null {
  const m = message as { kind?: unknown; id?: unknown } | null;
  return m && m.kind === 'request' && Number.isSafeInteger(m.id) ? (m.id as number) : null;
}
