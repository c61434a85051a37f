import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AnswerMeter } from './answerMeter';
import { AsyncQueue } from './asyncQueue';
import { realClock, type Clock } from './modelCache';
import { WorkerProcess, type WorkerExit } from './workerProcess';
import { imagesInOrder, partsOf } from './messages';
import type { ErrorLine, WireMessage, WorkerLine } from './workerProtocol';
import { ChatError, type ChatBackend, type ChatEvent, type ChatImage, type ChatMessage, type FinishReason, type GenerateOptions, type WorkerBackendConfig } from './types';

export const DEFAULT_IDLE_STOP_MS = 10 * 60_000;
/** How long a cancelled request may take to send its `done` before we end it ourselves. */
const CANCEL_GRACE_MS = 2000;

type Routed = WorkerLine | { type: 'process-exit'; exit: WorkerExit };

/**
 * An error the worker reported. Its missing-package message already ends with the fix
 * ("torch is not installed in …: pip install -r …", errors.py), which is also its hint: shown once.
 */
function reported(code: 'worker-unavailable' | 'worker-failed', line: ErrorLine): ChatError {
  const hint = line.hint?.trim();
  return new ChatError(code, line.message, hint && !line.message.trimEnd().endsWith(hint) ? hint : undefined);
}

/** Client of the Python chat worker (protocol: workerProtocol.ts). Starts it on demand, stops it when idle. */
export class WorkerBackend implements ChatBackend {
  readonly kind = 'worker' as const;
  readonly model: string;
  private process: WorkerProcess | null = null;
  private readonly pending = new Map<string, AsyncQueue<Routed>>();
  private idleTimer: unknown = null;
  private sequence = 0;
  private readonly clock: Clock;

  constructor(private readonly config: WorkerBackendConfig, deps: { clock?: Clock } = {}) {
    this.model = config.model;
    this.clock = deps.clock ?? realClock;
  }

  /** The running worker's pid (tests, status display), or null. */
  get pid(): number | null {
    return this.process?.running ? this.process.pid ?? null : null;
  }

  private command(): string[] {
    const base = this.config.command ?? [this.config.python, '-m', 'llava_studio_worker.serve'];
    return [...base, '--model', this.config.model, ...(this.config.adapter ? ['--adapter', this.config.adapter] : []), ...(this.config.args ?? [])];
  }

  private start(): WorkerProcess {
    const worker = new WorkerProcess({
      command: this.command(),
      env: this.config.env,
      cwd: this.config.cwd,
      onLine: (line) => {
        if ('id' in line && line.id) this.pending.get(line.id)?.push(line);
      },
    });
    void worker.done.then((exit) => {
      if (this.process === worker) this.process = null;
      for (const queue of this.pending.values()) queue.push({ type: 'process-exit', exit });
    });
    return worker;
  }

  private exitError(exit: WorkerExit): ChatError {
    const python = this.command()[0]!;
    if (exit.spawnError) {
      return exit.spawnError.code === 'ENOENT'
        ? new ChatError('worker-unavailable', `python interpreter not found: ${python}`, 'set the Python interpreter in the settings (a venv with torch and transformers)')
        : new ChatError('worker-unavailable', `cannot start ${python}: ${exit.spawnError.message}`, 'check the Python interpreter setting');
    }
    if (exit.fatal) return reported('worker-unavailable', exit.fatal);
    const last = exit.tail.at(-1) ?? 'no output';
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    return new ChatError('worker-failed', `chat worker (${python}) ${how}: ${last}`, 'see the worker output for the full traceback');
  }

  async *stream(messages: ChatMessage[], images: ChatImage[], options: GenerateOptions = {}, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    const meter = new AnswerMeter('worker', this.model);
    const id = `r${++this.sequence}`;
    const queue = new AsyncQueue<Routed>();
    const ordered = imagesInOrder(messages, images);
    const wire: WireMessage[] = messages.map((message) => ({
      role: message.role,
      content: typeof message.content === 'string' ? message.content
        : partsOf(message).map((part) => (part.type === 'image' ? { type: 'image' as const } : part)),
    }));
    const maxNewTokens = options.maxNewTokens ?? 256;
    const temp = await imagePaths(ordered);
    this.stopIdleTimer();
    this.pending.set(id, queue);
    let graceTimer: unknown = null;
    let finished = false;
    const onAbort = () => {
      this.process?.send({ type: 'cancel', id });
      graceTimer = this.clock.setTimeout(() => queue.push({ type: 'done', id, tokens: meter.tokens, ttft_ms: null, cancelled: true }), CANCEL_GRACE_MS);
    };
    try {
      if (!this.process?.running) {
        yield { type: 'status', stage: 'starting-worker', detail: this.command().join(' ') };
        this.process = this.start();
      }
      this.process.send({
        type: 'generate', id, messages: wire, images: temp.paths,
        max_new_tokens: maxNewTokens, temperature: options.temperature ?? 0, top_p: options.topP ?? 1, ignore_eos: options.ignoreEos ?? false,
        ...(options.useAdapter === false && this.config.adapter ? { use_adapter: false as const } : {}),
      });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
      for await (const line of queue) {
        if (line.type === 'process-exit') throw this.exitError(line.exit);
        if (line.type === 'status') yield { type: 'status', stage: line.stage === 'loading-model' ? 'loading-model' : 'generating', ...(line.detail ? { detail: line.detail } : {}) };
        else if (line.type === 'token') {
          meter.addTokens(1, line.text);
          yield { type: 'token', text: line.text };
        } else if (line.type === 'error') throw reported('worker-failed', line);
        else if (line.type === 'done') {
          finished = true;
          const reason: FinishReason = signal?.aborted || line.cancelled ? 'stopped'
            : line.finish_reason ?? (line.tokens >= maxNewTokens ? 'length' : 'eos');
          yield { type: 'done', answer: meter.finish(reason, Math.max(line.tokens, meter.tokens)) };
          return;
        }
      }
    } finally {
      if (graceTimer !== null) this.clock.clearTimeout(graceTimer);
      signal?.removeEventListener('abort', onAbort);
      // A consumer that stopped reading (or a failure here) must not leave the GPU busy.
      if (!finished) this.process?.send({ type: 'cancel', id });
      this.pending.delete(id);
      await temp.remove();
      if (this.pending.size === 0) this.startIdleTimer();
    }
  }

  private startIdleTimer(): void {
    this.stopIdleTimer();
    if (!this.process?.running) return;
    this.idleTimer = this.clock.setTimeout(() => void this.dispose(), this.config.idleStopMs ?? DEFAULT_IDLE_STOP_MS);
  }

  private stopIdleTimer(): void {
    if (this.idleTimer !== null) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  async dispose(): Promise<void> {
    this.stopIdleTimer();
    const worker = this.process;
    this.process = null;
    await worker?.stop();
  }
}

/** The worker opens files only: images given as bytes go to a private temp folder for the request. */
async function imagePaths(images: ChatImage[]): Promise<{ paths: string[]; remove: () => Promise<void> }> {
  let dir: string | null = null;
  const paths: string[] = [];
  for (const [index, image] of images.entries()) {
    if (image.kind === 'file') {
      paths.push(resolve(image.path));
      continue;
    }
    dir ??= await mkdtemp(join(tmpdir(), 'llava-studio-chat-'));
    const path = join(dir, `image-${index}`);
    await writeFile(path, image.bytes, { mode: 0o600 });
    paths.push(path);
  }
  return { paths, remove: async () => void (dir && (await rm(dir, { recursive: true, force: true }))) };
}
