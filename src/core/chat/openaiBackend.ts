import { AnswerMeter } from './answerMeter';
import { imageDataUrl } from './imageDecode';
import { imagesInOrder, partsOf } from './messages';
import { sseData } from './sse';
import { displayUrl, scrubUrls } from './urls';
import { ChatError, type ChatBackend, type ChatEvent, type ChatImage, type ChatMessage, type FinishReason, type GenerateOptions, type OpenAIBackendConfig } from './types';

type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

interface StreamChunk {
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { completion_tokens?: number } | null;
  error?: { message?: string } | string;
}

/** `<base>/chat/completions`, keeping a query string the base URL may need (e.g. `?api-version=`) at the end. */
function chatEndpoint(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/chat/completions`;
    return url.toString();
  } catch {
    return `${baseUrl.replace(/\/+$/, '')}/chat/completions`;
  }
}

/**
 * Any OpenAI-compatible server (vLLM, llama.cpp server, Ollama, LM Studio): POST /chat/completions
 * with `stream: true`, images as data URLs in `image_url` parts. The API key travels only in the
 * Authorization header and is scrubbed from every error message, as are credentials and query
 * strings of URLs (the endpoint is shown as `shownEndpoint`).
 */
export class OpenAIBackend implements ChatBackend {
  readonly kind = 'openai' as const;
  readonly model: string;
  private readonly endpoint: string;
  /** The endpoint as errors and status lines show it: no user:password, no query string. */
  private readonly shownEndpoint: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly config: OpenAIBackendConfig) {
    this.model = config.model;
    this.endpoint = chatEndpoint(config.baseUrl);
    this.shownEndpoint = displayUrl(this.endpoint);
    this.fetch = config.fetch ?? fetch;
  }

  private async body(messages: ChatMessage[], images: ChatImage[], options: GenerateOptions, usage: boolean): Promise<string> {
    imagesInOrder(messages, images); // validates image references
    const urls = new Map<number, Promise<string>>();
    const url = (index: number) => {
      if (!urls.has(index)) urls.set(index, imageDataUrl(images[index]!, { maxPixels: this.config.maxImagePixels }));
      return urls.get(index)!;
    };
    const wire = await Promise.all(messages.map(async (message) => ({
      role: message.role,
      content: await Promise.all(partsOf(message).map(async (part): Promise<ContentPart> =>
        part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image_url', image_url: { url: await url(part.index) } })),
    })));
    const temperature = options.temperature ?? 0;
    return JSON.stringify({
      model: this.config.model,
      messages: wire,
      stream: true,
      ...(usage ? { stream_options: { include_usage: true } } : {}),
      max_tokens: options.maxNewTokens ?? 256,
      temperature,
      ...(options.topP !== undefined ? { top_p: options.topP } : {}),
      ...(options.ignoreEos ? { ignore_eos: true } : {}),
    });
  }

  /** Removes the API key, URL credentials and query strings from any text that may reach a log or the UI. */
  private scrub(text: string): string {
    const key = this.config.apiKey;
    return scrubUrls(key ? text.split(key).join('***') : text);
  }

  private async post(body: string, signal: AbortSignal | undefined): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (this.config.apiKey) headers.authorization = `Bearer ${this.config.apiKey}`;
    try {
      return await this.fetch(this.endpoint, { method: 'POST', headers, body, signal });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      if (cause?.code === 'ECONNREFUSED') {
        throw new ChatError('connection-refused', `cannot connect to ${this.shownEndpoint}: connection refused`, 'is the server running? check the base URL and port (e.g. http://localhost:8000/v1)');
      }
      throw new ChatError('connection-refused', this.scrub(`cannot reach ${this.shownEndpoint}: ${why}`), 'check the base URL, the network, and that the server speaks HTTP');
    }
  }

  private async httpError(response: Response): Promise<ChatError> {
    const text = this.scrub((await response.text().catch(() => '')).replace(/\s+/g, ' ').slice(0, 200));
    const where = `${this.shownEndpoint} answered HTTP ${response.status}`;
    if (response.status === 401 || response.status === 403) {
      return new ChatError('unauthorized', `${where}: the API key was refused${text ? ` (${text})` : ''}`, this.config.apiKey ? 'check the API key: run "Set OpenAI-compatible API Key" to replace it' : 'this server needs an API key: run "Set OpenAI-compatible API Key" (a key is kept per server origin)');
    }
    if (response.status === 404) {
      return new ChatError('not-found', `${where}: no such endpoint or model '${this.config.model}'${text ? ` (${text})` : ''}`, 'check that the base URL ends in /v1 and that the model is one the server lists at /v1/models');
    }
    if (response.status === 400 || response.status === 422) return new ChatError('bad-request', `${where}: ${text || 'bad request'}`, 'the server may not accept images or these options for this model');
    return new ChatError('server-error', `${where}${text ? `: ${text}` : ''}`, 'see the server log');
  }

  async *stream(messages: ChatMessage[], images: ChatImage[], options: GenerateOptions = {}, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    const meter = new AnswerMeter('openai', this.model);
    yield { type: 'status', stage: 'connecting', detail: this.shownEndpoint };
    let reason: FinishReason = 'length';
    let usageTokens: number | undefined;
    try {
      let response = await this.post(await this.body(messages, images, options, true), signal);
      if (response.status === 400) {
        // Older servers reject stream_options; ask once more without it.
        const text = await response.clone().text().catch(() => '');
        if (/stream_options/.test(text)) response = await this.post(await this.body(messages, images, options, false), signal);
      }
      if (!response.ok || !response.body) throw await this.httpError(response);
      yield { type: 'status', stage: 'generating' };
      for await (const data of sseData(response.body)) {
        if (data.trim() === '[DONE]') break;
        let chunk: StreamChunk;
        try {
          chunk = JSON.parse(data) as StreamChunk;
        } catch {
          throw new ChatError('protocol', `${this.shownEndpoint} sent a stream line that is not JSON: ${this.scrub(data.slice(0, 80))}`, 'is this an OpenAI-compatible endpoint?');
        }
        if (chunk.error) {
          const message = typeof chunk.error === 'string' ? chunk.error : chunk.error.message ?? 'error';
          throw new ChatError('server-error', this.scrub(`${this.shownEndpoint} reported: ${message}`), 'see the server log');
        }
        const choice = chunk.choices?.[0];
        const text = choice?.delta?.content ?? '';
        if (text) {
          meter.addTokens(1, text);
          yield { type: 'token', text };
        }
        if (choice?.finish_reason) reason = choice.finish_reason === 'length' ? 'length' : 'eos';
        if (typeof chunk.usage?.completion_tokens === 'number') usageTokens = chunk.usage.completion_tokens;
      }
    } catch (error) {
      if (!signal?.aborted) throw error;
    }
    if (signal?.aborted) reason = 'stopped';
    yield { type: 'done', answer: meter.finish(reason, usageTokens ?? meter.tokens) };
  }

  async dispose(): Promise<void> {}
}
