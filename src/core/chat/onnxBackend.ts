import { AnswerMeter } from './answerMeter';
import { AsyncQueue } from './asyncQueue';
import { decodeImage } from './imageDecode';
import { imagesInOrder, toTemplateMessages } from './messages';
import { ModelCache, type CacheEvent, type Clock } from './modelCache';
import { checkModelFolder } from './modelFolder';
import { loadModel, prepareInputs, type LoadedModel } from './onnxModel';
import type { ChatBackend, ChatEvent, ChatImage, ChatMessage, FinishReason, GenerateOptions, OnnxBackendConfig } from './types';

export const DEFAULT_IDLE_UNLOAD_MS = 5 * 60_000;
export const DEFAULT_MAX_NEW_TOKENS = 256;

/** One cache per process: however many panels ask, one model is resident. */
let sharedCache: ModelCache<LoadedModel> | null = null;

export function onnxModelCache(): ModelCache<LoadedModel> {
  sharedCache ??= newOnnxModelCache({});
  return sharedCache;
}

/** A separate cache (tests, benchmarks) with its own clock and events. */
export function newOnnxModelCache(options: { idleMs?: number; clock?: Clock; onEvent?: (event: CacheEvent) => void }): ModelCache<LoadedModel> {
  return new ModelCache<LoadedModel>({
    idleMs: options.idleMs ?? DEFAULT_IDLE_UNLOAD_MS,
    dispose: async (loaded) => void (await loaded.model.dispose()),
    clock: options.clock,
    onEvent: options.onEvent,
  });
}

type Generated = { kind: 'tokens'; ids: bigint[] } | { kind: 'text'; text: string };

/**
 * In-process backend: transformers.js on onnxruntime-node. generate() awaits each ONNX run in a
 * setImmediate, so the event loop keeps turning between decoding steps.
 */
export class OnnxBackend implements ChatBackend {
  readonly kind = 'onnx' as const;
  readonly model: string;
  private readonly cache: ModelCache<LoadedModel>;

  constructor(
    private readonly config: OnnxBackendConfig,
    deps: { cache?: ModelCache<LoadedModel> } = {},
  ) {
    this.model = config.modelDir.split(/[\\/]/).filter(Boolean).pop() ?? config.modelDir;
    this.cache = deps.cache ?? onnxModelCache();
    if (config.idleUnloadMs !== undefined) this.cache.idleMs = config.idleUnloadMs;
  }

  async *stream(messages: ChatMessage[], images: ChatImage[], options: GenerateOptions = {}, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    const meter = new AnswerMeter('onnx', this.model);
    const ordered = imagesInOrder(messages, images);
    const folder = await checkModelFolder(this.config.modelDir, this.config.dtype);
    const key = `${folder.dir}#${folder.dtype}`;
    if (this.cache.residentKey !== key) yield { type: 'status', stage: 'loading-model', detail: `${folder.name} (${folder.dtype})` };
    const lease = await this.cache.acquire(key, () => loadModel(folder));
    try {
      if (signal?.aborted) {
        yield { type: 'done', answer: meter.finish('stopped') };
        return;
      }
      yield { type: 'status', stage: 'preparing-image' };
      const started = performance.now();
      const decoded = await Promise.all(ordered.map((image) => decodeImage(image, { maxPixels: this.config.maxImagePixels, size: folder.processorSize })));
      const inputs = await prepareInputs(lease.value, toTemplateMessages(messages), decoded);
      meter.preprocessMs = performance.now() - started;
      yield { type: 'status', stage: 'generating' };
      yield* this.generate(lease.value, inputs, options, meter, signal);
    } finally {
      lease.release();
    }
  }

  private async *generate(
    loaded: LoadedModel,
    inputs: Record<string, unknown>,
    options: GenerateOptions,
    meter: AnswerMeter,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<ChatEvent> {
    const { transformers, processor, model } = loaded;
    const queue = new AsyncQueue<Generated>();
    const streamer = new transformers.TextStreamer(processor.tokenizer!, {
      skip_prompt: true,
      skip_special_tokens: true,
      callback_function: (text: string) => queue.push({ kind: 'text', text }),
      token_callback_function: (ids: bigint[]) => queue.push({ kind: 'tokens', ids }),
    });
    const stop = new transformers.InterruptableStoppingCriteria();
    const onAbort = () => stop.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) stop.interrupt();
    const maxNewTokens = options.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
    const sample = (options.temperature ?? 0) > 0;
    let lastId: bigint | null = null;
    const running = model.generate({
      ...inputs,
      max_new_tokens: maxNewTokens,
      do_sample: sample,
      ...(sample ? { temperature: options.temperature, top_p: options.topP ?? 1 } : {}),
      ...(options.ignoreEos ? { min_new_tokens: maxNewTokens } : {}),
      streamer,
      stopping_criteria: [stop],
    } as never);
    running.then(() => queue.end(), (error: unknown) => queue.fail(error));
    try {
      for await (const item of queue) {
        if (item.kind === 'tokens') {
          lastId = item.ids.at(-1) ?? lastId;
          meter.addTokens(item.ids.length, '');
        } else {
          meter.addText(item.text);
          yield { type: 'token', text: item.text };
        }
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // A consumer that stops iterating early must not leave generate() running.
      stop.interrupt();
      await running.catch(() => {});
    }
    let reason: FinishReason = 'length';
    if (signal?.aborted) reason = 'stopped';
    else if (lastId !== null && loaded.eosIds.has(lastId)) reason = 'eos';
    yield { type: 'done', answer: meter.finish(reason) };
  }

  async dispose(): Promise<void> {
    await this.cache.unload();
  }
}
