import type { BackendKind, ChatAnswer, ChatEvent, FinishReason } from './types';

/** Accumulates one answer's text and timings; every backend reports metrics the same way through it. */
export class AnswerMeter {
  private readonly startedAt: number;
  private firstAt: number | null = null;
  private lastAt = 0;
  private count = 0;
  text = '';
  preprocessMs: number | undefined;

  constructor(
    private readonly backend: BackendKind,
    private readonly model: string,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now();
  }

  get tokens(): number {
    return this.count;
  }

  /** Records `count` newly generated tokens (text may be empty: a token can end mid-character). */
  addTokens(count: number, text: string): void {
    const at = this.now();
    if (this.firstAt === null && count > 0) this.firstAt = at;
    if (count > 0) this.lastAt = at;
    this.count += count;
    this.text += text;
  }

  /** Text that arrives without its own token count (e.g. a streamer flushing at the end). */
  addText(text: string): void {
    this.text += text;
  }

  finish(reason: FinishReason, tokens = this.count): ChatAnswer {
    const first = this.firstAt ?? this.now();
    const decodeSeconds = (this.lastAt - first) / 1000;
    const answer: ChatAnswer = {
      text: this.text,
      tokens,
      ttft_ms: round(first - this.startedAt),
      tokens_per_s: tokens >= 2 && decodeSeconds > 0 ? round((tokens - 1) / decodeSeconds) : 0,
      backend: this.backend,
      model: this.model,
      finishReason: reason,
    };
    if (this.preprocessMs !== undefined) answer.preprocess_ms = round(this.preprocessMs);
    return answer;
  }
}

const round = (value: number): number => Math.round(value * 100) / 100;

/** Drains a stream into its final answer, calling `onToken` for each piece of text. */
export async function collectAnswer(
  events: AsyncIterable<ChatEvent>,
  onToken: (text: string) => void = () => {},
): Promise<ChatAnswer> {
  for await (const event of events) {
    if (event.type === 'token') onToken(event.text);
    if (event.type === 'done') return event.answer;
  }
  throw new Error('chat stream ended without an answer');
}
