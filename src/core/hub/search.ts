/**
 * Model search on the Hugging Face Hub (image-text-to-text models), through @huggingface/hub's
 * listModels. Offline (a network error, not an HTTP error) answers with a curated shortlist instead.
 */
import type { PipelineType } from '@huggingface/hub';

export interface ModelHit {
  /** Hub id, e.g. "llava-hf/llava-1.5-7b-hf". */
  id: string;
  /** Parameter count (the Hub's safetensors total; approximate for the offline shortlist); null when unknown. */
  params: number | null;
  downloads: number | null;
  likes: number | null;
  task: string | null;
  gated: boolean;
  /** ISO date of the last change; null offline. */
  updatedAt: string | null;
}

export interface ModelSearchResult {
  models: ModelHit[];
  offline: boolean;
  /** Plain words for the user when something is off (offline, nothing found); null otherwise. */
  message: string | null;
}

export interface SearchOptions {
  hubUrl?: string;
  fetch?: typeof fetch;
  accessToken?: string;
  limit?: number;
  task?: PipelineType;
  timeoutMs?: number;
}

const approx = (id: string, billions: number): ModelHit => ({ id, params: Math.round(billions * 1e9), downloads: null, likes: null, task: 'image-text-to-text', gated: false, updatedAt: null });

/** Known-good fine-tuning bases, shown when the Hub cannot be reached (parameter counts approximate). */
export const CURATED_MODELS: readonly ModelHit[] = [
  approx('llava-hf/llava-1.5-7b-hf', 7.06),
  approx('llava-hf/llava-v1.6-mistral-7b-hf', 7.57),
  approx('llava-hf/llava-onevision-qwen2-0.5b-ov-hf', 0.89),
  approx('Qwen/Qwen2-VL-2B-Instruct', 2.21),
  approx('Qwen/Qwen2-VL-7B-Instruct', 8.29),
  approx('HuggingFaceTB/SmolVLM-256M-Instruct', 0.26),
  approx('HuggingFaceTB/SmolVLM-Instruct', 2.25),
  approx('google/paligemma-3b-pt-224', 2.92),
  approx('HuggingFaceM4/Idefics3-8B-Llama3', 8.46),
];

/** A failure to reach the Hub at all (DNS, refused, reset, timeout), as opposed to an HTTP error answer. */
export function isNetworkError(error: unknown): boolean {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') return true;
  const code = e?.cause?.code ?? e?.code ?? '';
  if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|UND_ERR_)/.test(code)) return true;
  return e instanceof TypeError && /fetch failed|network/i.test(e.message ?? '');
}

function offlineResult(query: string, hubUrl: string): ModelSearchResult {
  const q = query.trim().toLowerCase();
  const matching = q ? CURATED_MODELS.filter((m) => m.id.toLowerCase().includes(q)) : [...CURATED_MODELS];
  const models = matching.length > 0 ? matching : [...CURATED_MODELS];
  const note = q && matching.length === 0 ? ` None of them matches "${query}".` : '';
  return { models, offline: true, message: `Can't reach ${hubUrl}, so this is a short list of known models instead of search results.${note}` };
}

/** Searches image-text-to-text models by name, most downloaded first. */
export async function searchModels(query: string, options: SearchOptions = {}): Promise<ModelSearchResult> {
  const hubUrl = options.hubUrl ?? 'https://huggingface.co';
  const { listModels } = await import('@huggingface/hub');
  const baseFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const timedFetch: typeof fetch = (input, init) => baseFetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
  const models: ModelHit[] = [];
  try {
    for await (const entry of listModels({
      search: { ...(query.trim() ? { query: query.trim() } : {}), task: options.task ?? 'image-text-to-text' },
      additionalFields: ['safetensors'],
      sort: 'downloads',
      limit: options.limit ?? 30,
      hubUrl,
      fetch: timedFetch,
      ...(options.accessToken ? { accessToken: options.accessToken } : {}),
    })) {
      models.push({
        id: entry.name,
        params: typeof entry.safetensors?.total === 'number' ? entry.safetensors.total : null,
        downloads: typeof entry.downloads === 'number' ? entry.downloads : null,
        likes: typeof entry.likes === 'number' ? entry.likes : null,
        task: entry.task ?? null,
        gated: entry.gated !== false && entry.gated !== undefined,
        updatedAt: Number.isNaN(entry.updatedAt?.getTime()) ? null : entry.updatedAt.toISOString(),
      });
    }
  } catch (error) {
    if (isNetworkError(error)) return offlineResult(query, hubUrl);
    throw new Error(`model search on ${hubUrl} failed: ${(error as Error).message}`);
  }
  return { models, offline: false, message: models.length === 0 ? `No image-text-to-text model on the Hub matches "${query}".` : null };
}
