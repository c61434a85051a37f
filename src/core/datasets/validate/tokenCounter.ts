/**
 * Sequence length of a row as the trainer will see it: with a model folder, its own tokenizer and chat
 * template (@huggingface/transformers, offline, loaded on first use), each image marker counted as
 * the model's image tokens; without one, an estimate that says it is one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DatasetRow } from '../types';
import { DatasetError } from '../types';

export const CHARS_PER_TOKEN = 3.6;
export const DEFAULT_MAX_LENGTH = 2048;

export interface TokenCounter {
  /** Whole-run description, e.g. "tokenizer + chat template of /m". */
  readonly basis: string;
  /** model_max_length from tokenizer_config.json when it is a real limit. */
  readonly modelMaxLength: number | null;
  count(row: DatasetRow): number;
  /** How one row's count was made, for the too_long message. */
  explain(row: DatasetRow, tokens: number): string;
}

function textChars(row: DatasetRow): number {
  let chars = 0;
  for (const message of row.messages) for (const part of message.content) if (part.type === 'text') chars += part.text.length;
  return chars;
}

function imageParts(row: DatasetRow): number {
  let images = 0;
  for (const message of row.messages) for (const part of message.content) if (part.type === 'image') images++;
  return images;
}

/** `assumed`: the image token count is the LLaVA-1.5 default, not read from a model (the message says so). */
export function estimateCounter(imageTokens: number, assumed = false): TokenCounter {
  const perImage = assumed ? `${imageTokens} (assumed: LLaVA-1.5)` : String(imageTokens);
  return {
    basis: `estimate: text characters ÷ ${CHARS_PER_TOKEN} + ${imageTokens} tokens per image (pass --model for exact counts)`,
    modelMaxLength: null,
    count: (row) => Math.ceil(textChars(row) / CHARS_PER_TOKEN) + imageParts(row) * imageTokens,
    explain: (row, tokens) => `≈ ${tokens} tokens (estimate: ${textChars(row)} text chars ÷ ${CHARS_PER_TOKEN} + ${imageParts(row)} image × ${perImage}; pass --model for an exact count)`,
  };
}

interface Tokenizer {
  apply_chat_template(conversation: unknown[], options: Record<string, unknown>): unknown;
  encode(text: string, options?: Record<string, unknown>): number[];
}

/** Checks the folder the way FACTS §3 asks: absolute path, both tokenizer files present, named when not. */
export function checkTokenizerFolder(modelDir: string): string {
  const dir = resolve(modelDir);
  const missing = ['tokenizer.json', 'tokenizer_config.json'].filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) throw new DatasetError(`model folder ${dir} lacks ${missing.join(' and ')} (needed to count tokens)`, dir, null);
  return dir;
}

export async function tokenizerCounter(modelDir: string, imageTokens: number, imageToken = '<image>'): Promise<TokenCounter> {
  const dir = checkTokenizerFolder(modelDir);
  const transformers = await import('@huggingface/transformers');
  transformers.env.allowRemoteModels = false;
  transformers.env.useFSCache = false;
  const tokenizer = (await transformers.AutoTokenizer.from_pretrained(dir)) as unknown as Tokenizer;
  const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) as { model_max_length?: number };
  const modelMaxLength = typeof config.model_max_length === 'number' && config.model_max_length < 1e7 ? config.model_max_length : null;
  const markerTokens = tokenizer.encode(imageToken, { add_special_tokens: false });
  const markerId = markerTokens.length === 1 ? markerTokens[0]! : null;
  // Structured content where the template renders image parts; otherwise plain strings with markers.
  let structured: boolean | null = null;

  const conversation = (row: DatasetRow, asParts: boolean): unknown[] => row.messages.map((m) => ({
    role: m.role,
    content: asParts
      ? m.content.flatMap((p) => (p.type === 'text' ? [{ type: 'text', text: p.text }] : p.type === 'image' ? [{ type: 'image' }] : []))
      : m.content.map((p) => (p.type === 'text' ? p.text : p.type === 'image' ? imageToken : '')).join(''),
  }));
  const render = (row: DatasetRow, asParts: boolean): string =>
    tokenizer.apply_chat_template(conversation(row, asParts), { tokenize: false }) as string;

  const count = (row: DatasetRow): number => {
    if (row.messages.length === 0) return 0;
    const images = imageParts(row);
    if (structured === null && images > 0) {
      try {
        structured = render(row, true).split(imageToken).length - 1 === images;
      } catch {
        structured = false;
      }
    }
    const chat = conversation(row, structured === true);
    if (markerId !== null) {
      const ids = tokenizer.apply_chat_template(chat, { tokenize: true, return_tensor: false, return_dict: false }) as number[];
      let markers = 0;
      for (const id of ids) if (id === markerId) markers++;
      return ids.length + markers * (imageTokens - 1);
    }
    const text = tokenizer.apply_chat_template(chat, { tokenize: false }) as string;
    const markers = text.split(imageToken).length - 1;
    return tokenizer.encode(text, { add_special_tokens: false }).length + markers * (imageTokens - markerTokens.length);
  };
  return {
    basis: `tokenizer + chat template of ${dir}, ${imageTokens} tokens per image`,
    modelMaxLength,
    count,
    explain: (row, tokens) => `${tokens} tokens (chat template of ${dir}, ${imageParts(row)} image × ${imageTokens})`,
  };
}
