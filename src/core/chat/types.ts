/**
 * The chat API the Ask LLaVA panel (and the CLI) build on. Stable: add optional fields, never
 * rename. No vscode, no heavy imports here.
 *
 *   const backend = await createChatBackend({ kind: 'onnx', modelDir: '/abs/model' });
 *   for await (const event of backend.stream(messages, images, { maxNewTokens: 128 }, signal)) {
 *     if (event.type === 'token') show(event.text);        // incremental text, in order
 *     if (event.type === 'done') finish(event.answer);     // always last, also after Stop
 *   }
 *
 * Stop = abort the signal: the stream ends with a `done` whose answer has `finishReason: 'stopped'`
 * and the partial text. Failures throw a `ChatError` (code + one-line message + hint).
 */

export type ChatRole = 'system' | 'user' | 'assistant';

/** One part of a message: text, or the image at `index` in the `images` array given to stream(). */
export type ChatPart = { type: 'text'; text: string } | { type: 'image'; index: number };

export interface ChatMessage {
  role: ChatRole;
  /** A plain string is one text part. */
  content: string | ChatPart[];
}

/** An image the caller chose; it is read only from here (the UI layer decides what to trust). */
export type ChatImage =
  | { kind: 'file'; path: string }
  /** Bytes already in memory (pasted, dropped); `label` names it in errors. */
  | { kind: 'bytes'; bytes: Uint8Array; label: string };

export interface GenerateOptions {
  /** Default 256. */
  maxNewTokens?: number;
  /** 0 or absent: greedy (deterministic). */
  temperature?: number;
  topP?: number;
  /** Keep generating past end-of-sequence until maxNewTokens (benchmarks, Stop tests). */
  ignoreEos?: boolean;
  /**
   * Worker with an adapter only: false answers with the base model alone (the LoRA adapter switched
   * off for this request), so one worker serves both sides of a base-vs-adapter compare. Others ignore it.
   */
  useAdapter?: boolean;
}

export type BackendKind = 'onnx' | 'openai' | 'worker';

export type ChatStage = 'loading-model' | 'preparing-image' | 'starting-worker' | 'connecting' | 'generating';

export type ChatEvent =
  /** Coarse progress before the first token, for a status line. */
  | { type: 'status'; stage: ChatStage; detail?: string }
  /** Newly decoded answer text (may be several tokens, or part of a word). */
  | { type: 'token'; text: string }
  /** Always the last event of a stream that did not throw. */
  | { type: 'done'; answer: ChatAnswer };

export type FinishReason = 'eos' | 'length' | 'stopped';

export interface ChatAnswer {
  text: string;
  /** Generated token ids incl. a final end-of-sequence token (OpenAI: usage.completion_tokens, else stream chunks). */
  tokens: number;
  /** From stream() call to first token, including model load and image preparation. */
  ttft_ms: number;
  /** Tokens after the first, per second of decoding after the first token (0 when < 2 tokens). */
  tokens_per_s: number;
  backend: BackendKind;
  model: string;
  finishReason: FinishReason;
  /** Where measured: image decode + resize + processor + tokenize (onnx backend only). */
  preprocess_ms?: number;
}

export interface ChatBackend {
  readonly kind: BackendKind;
  /** What answers report as `model`: a folder name, a server model id. */
  readonly model: string;
  stream(messages: ChatMessage[], images: ChatImage[], options?: GenerateOptions, signal?: AbortSignal): AsyncIterable<ChatEvent>;
  /** Unload the model / stop the worker. The backend may be used again afterwards (it restarts). */
  dispose(): Promise<void>;
}

export interface OnnxBackendConfig {
  kind: 'onnx';
  /** Absolute path of a transformers.js model folder (config.json, onnx/, tokenizer…). */
  modelDir: string;
  /** ONNX file variant: 'fp32' (no suffix), 'fp16', 'q4', 'quantized', … Default: the folder's best. */
  dtype?: string;
  /** Unload the resident model after this long unused. Default 5 min. */
  idleUnloadMs?: number;
  /** Refuse images above this many pixels (decompression bombs). Default 100 MP. */
  maxImagePixels?: number;
}

export interface OpenAIBackendConfig {
  kind: 'openai';
  /** e.g. http://localhost:8000/v1 (vLLM), http://localhost:11434/v1 (Ollama). */
  baseUrl: string;
  model: string;
  /** Sent only as `Authorization: Bearer …`; never logged or put in errors. */
  apiKey?: string;
  /** Injectable for tests; defaults to global fetch. */
  fetch?: typeof fetch;
  maxImagePixels?: number;
}

export interface WorkerBackendConfig {
  kind: 'worker';
  /** Python interpreter, e.g. /usr/bin/python3 or a venv's python. */
  python: string;
  /** Base model (folder or Hub id the worker can load). */
  model: string;
  /** Optional LoRA adapter folder (a run's checkpoint-N). */
  adapter?: string;
  /** Stop the worker after this long without a request. Default 10 min. */
  idleStopMs?: number;
  /** Extra argv for the worker module (e.g. ['--device', 'cuda:0']). */
  args?: string[];
  /** Extra environment; PYTHONPATH must reach native-bin/ (the UI passes <extension>/native-bin). */
  env?: Record<string, string>;
  cwd?: string;
  /** Override the command entirely (tests: a fake worker script). Default [python, '-m', 'llava_studio_worker.serve']. */
  command?: string[];
}

export type BackendConfig = OnnxBackendConfig | OpenAIBackendConfig | WorkerBackendConfig;

/** Everything a user can act on: what went wrong (`message`), what to check (`hint`). */
export type ChatErrorCode =
  | 'image-unreadable'
  | 'image-too-large'
  | 'model-incomplete'
  | 'model-load-failed'
  | 'bad-request'
  | 'unauthorized'
  | 'not-found'
  | 'connection-refused'
  | 'server-error'
  | 'worker-unavailable'
  | 'worker-failed'
  | 'protocol';

export class ChatError extends Error {
  constructor(
    readonly code: ChatErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ChatError';
  }
}
