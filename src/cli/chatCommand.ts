import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { collectAnswer } from '../core/chat/answerMeter';
import { ChatError, type ChatBackend } from '../core/chat/types';
import { UsageError, type Io } from './usageError';

export const chatUsage = 'llava-studio chat --model DIR --image PATH --prompt TEXT [--max-new-tokens N] [--dtype fp32|q8|q4|fp16] [--json]';

/** Errors the user fixes by changing the command line: exit 2, one line. */
const USAGE_CODES = new Set(['image-unreadable', 'image-too-large', 'model-incomplete', 'bad-request']);

/**
 * Streams the answer of the in-process (onnx) backend to stdout. With --json the last stdout line is
 * {"text","tokens","ttft_ms","tokens_per_s"}. Ctrl-C stops generation and keeps the partial answer.
 */
export async function chatCommand(args: string[], io: Io, deps: { signal?: AbortSignal } = {}): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: 'string' },
      image: { type: 'string' },
      prompt: { type: 'string' },
      'max-new-tokens': { type: 'string' },
      dtype: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (!values.model || !values.image || values.prompt === undefined) throw new UsageError(`usage: ${chatUsage}`);
  const maxNewTokens = values['max-new-tokens'] === undefined ? 256 : Number(values['max-new-tokens']);
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) throw new UsageError(`--max-new-tokens must be a positive integer, got ${values['max-new-tokens']}`);

  const { OnnxBackend } = await import('../core/chat/onnxBackend');
  const { checkModelFolder } = await import('../core/chat/modelFolder');
  const { decodeImage } = await import('../core/chat/imageDecode');
  const modelDir = resolve(values.model);
  const imagePath = resolve(values.image);
  const backend: ChatBackend = new OnnxBackend({ kind: 'onnx', modelDir, dtype: values.dtype, idleUnloadMs: 0 });
  const controller = new AbortController();
  const stop = () => controller.abort();
  deps.signal?.addEventListener('abort', stop, { once: true });
  process.once('SIGINT', stop);
  try {
    // Check both inputs before the (slow) model load, so a typo fails at once.
    await checkModelFolder(modelDir, values.dtype);
    await decodeImage({ kind: 'file', path: imagePath }, { size: { shortest_edge: 1 } });
    const answer = await collectAnswer(
      backend.stream([{ role: 'user', content: [{ type: 'image', index: 0 }, { type: 'text', text: values.prompt }] }],
        [{ kind: 'file', path: imagePath }], { maxNewTokens }, controller.signal),
      (text) => io.out(text),
    );
    io.out('\n');
    if (values.json) {
      const { text, tokens, ttft_ms, tokens_per_s } = answer;
      io.out(JSON.stringify({ text, tokens, ttft_ms, tokens_per_s }) + '\n');
    }
    return 0;
  } catch (error) {
    if (error instanceof ChatError && USAGE_CODES.has(error.code)) throw new UsageError(error.message);
    if (error instanceof ChatError) {
      io.err(`llava-studio chat: ${error.message}${error.hint ? ` (${error.hint})` : ''}\n`);
      return 1;
    }
    throw error;
  } finally {
    process.removeListener('SIGINT', stop);
    deps.signal?.removeEventListener('abort', stop);
    await backend.dispose();
  }
}
