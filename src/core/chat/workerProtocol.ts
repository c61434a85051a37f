/**
 * The stdio protocol between the extension and the Python chat worker
 * (`python -m llava_studio_worker.serve --model MODEL [--adapter DIR] [--idle-timeout S] [--device D]`,
 * native-bin/llava_studio_worker/serve.py). This file is the TypeScript side; both must agree.
 *
 * Framing: UTF-8 JSON, exactly one object per line, in both directions. The worker's stdout carries
 * protocol lines ONLY (library chatter, logs and tracebacks go to stderr). One request is generated
 * at a time; others queue in the worker.
 *
 * Extension → worker (stdin):
 *   {"type":"generate","id":"r1","messages":[…],"images":["/abs/a.png"],"max_new_tokens":256,
 *    "temperature":0,"top_p":1,"ignore_eos":false}
 *       messages: [{"role":"system"|"user"|"assistant","content": str | [part…]}], a part is
 *       {"type":"text","text":str} or {"type":"image"}. `images` holds one absolute path per image
 *       part, in the order the parts appear (the user chose them; the worker opens only these).
 *       temperature 0 = greedy. ignore_eos is a hint (benchmarks); a worker may ignore it.
 *       Optional "use_adapter": false (sent only with --adapter): answer with the base model, the
 *       PEFT adapter disabled for this request; the worker refuses it (error line) for a projector.
 *   {"type":"cancel","id":"r1"}     stop r1 as soon as possible; the worker still sends its `done`
 *                                   (with "cancelled": true and the tokens made so far).
 *   {"type":"shutdown"}             finish, free the GPU, exit 0. (Closing stdin means the same.)
 *
 * Worker → extension (stdout):
 *   {"type":"ready","model":str,"adapter":str|null,"device":str,"dtype":str}   once, after loading.
 *   {"type":"token","id":"r1","text":str}     new answer text (not necessarily one token).
 *   {"type":"done","id":"r1","tokens":int,"ttft_ms":float|null,"cancelled":bool}
 *       optional "finish_reason":"eos"|"length"|"stopped"; without it the client infers length
 *       from tokens ≥ max_new_tokens.
 *   {"type":"error","id":"r1","message":str,"hint":str}   r1 failed; the worker keeps serving.
 *   {"type":"error","id":null,"message":str,"hint":str}   not tied to a request; when the worker
 *       then exits (missing torch: exit 3; model failed to load) it is the reason shown to the user.
 *       Example: {"type":"error","id":null,"message":"torch is not installed in /usr/bin/python3",
 *       "hint":"pip install torch transformers peft"}
 *   {"type":"exit","reason":"idle-timeout"|"eof"|"shutdown"}   just before exiting.
 *   {"type":"status","id":"r1","stage":"loading-model"|"generating","detail":str}   optional.
 *
 * Lifecycle (client side): started on the first request, stopped with `shutdown` after an idle time
 * (the worker also exits by itself after --idle-timeout), SIGTERM then SIGKILL to its process group
 * if it does not exit.
 */

export const PROTOCOL_VERSION = 1;

export type WirePart = { type: 'text'; text: string } | { type: 'image' };
export interface WireMessage {
  role: 'system' | 'user' | 'assistant';
  content: string | WirePart[];
}

export interface GenerateRequest {
  type: 'generate';
  id: string;
  messages: WireMessage[];
  images: string[];
  max_new_tokens: number;
  temperature: number;
  top_p: number;
  ignore_eos: boolean;
  use_adapter?: false;
}
export interface CancelRequest { type: 'cancel'; id: string }
export interface ShutdownRequest { type: 'shutdown' }
export type WorkerRequest = GenerateRequest | CancelRequest | ShutdownRequest;

export interface ReadyLine { type: 'ready'; model: string; device: string }
export interface StatusLine { type: 'status'; id?: string | null; stage: string; detail?: string }
export interface TokenLine { type: 'token'; id: string; text: string }
export interface DoneLine { type: 'done'; id: string; tokens: number; ttft_ms: number | null; cancelled: boolean; finish_reason?: 'eos' | 'length' | 'stopped' }
export interface ErrorLine { type: 'error'; id: string | null; message: string; hint?: string }
export interface ExitLine { type: 'exit'; reason: string }
export type WorkerLine = ReadyLine | StatusLine | TokenLine | DoneLine | ErrorLine | ExitLine;

export function encodeRequest(request: WorkerRequest): string {
  return JSON.stringify(request) + '\n';
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Parses one stdout line; returns null for anything that is not a valid protocol line. */
export function parseWorkerLine(line: string): WorkerLine | null {
  let value: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    value = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  switch (value.type) {
    case 'ready':
      return { type: 'ready', model: String(value.model ?? ''), device: String(value.device ?? '') };
    case 'exit':
      return { type: 'exit', reason: String(value.reason ?? '') };
    case 'status':
      return isString(value.stage) ? { type: 'status', id: isString(value.id) ? value.id : null, stage: value.stage, ...(isString(value.detail) ? { detail: value.detail } : {}) } : null;
    case 'token':
      return isString(value.id) && isString(value.text) ? { type: 'token', id: value.id, text: value.text } : null;
    case 'done': {
      if (!isString(value.id) || !isNumber(value.tokens)) return null;
      const reason = value.finish_reason;
      return {
        type: 'done', id: value.id, tokens: value.tokens, ttft_ms: isNumber(value.ttft_ms) ? value.ttft_ms : null, cancelled: value.cancelled === true,
        ...(reason === 'eos' || reason === 'length' || reason === 'stopped' ? { finish_reason: reason } : {}),
      };
    }
    case 'error':
      return isString(value.message)
        ? { type: 'error', id: isString(value.id) ? value.id : null, message: value.message, ...(isString(value.hint) ? { hint: value.hint } : {}) }
        : null;
    default:
      return null;
  }
}
