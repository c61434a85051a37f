import type { DecodedImage } from './imageDecode';
import { PROMPT_ONLY, type ModelFolder } from './modelFolder';
import type { TemplateMessage } from './messages';
import { ChatError } from './types';

type Transformers = typeof import('@huggingface/transformers');

/** A processor + model pair held by the ModelCache, with the few calls the backend needs. */
export interface LoadedModel {
  folder: ModelFolder;
  transformers: Transformers;
  processor: import('@huggingface/transformers').Processor;
  model: import('@huggingface/transformers').PreTrainedModel;
  eosIds: Set<bigint>;
}

let transformersPromise: Promise<Transformers> | null = null;

/** Loads transformers.js once, set up for local folders only (no Hub, no FS cache). */
export function loadTransformers(): Promise<Transformers> {
  transformersPromise ??= import('@huggingface/transformers').then((t) => {
    t.env.allowRemoteModels = false;
    t.env.allowLocalModels = true;
    t.env.useFSCache = false;
    return t;
  });
  return transformersPromise;
}

function eosIdsOf(...configs: unknown[]): Set<bigint> {
  const ids = new Set<bigint>();
  for (const config of configs) {
    const value = (config as { eos_token_id?: number | number[] } | undefined)?.eos_token_id;
    for (const id of Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]) ids.add(BigInt(id));
  }
  return ids;
}

export async function loadModel(folder: ModelFolder): Promise<LoadedModel> {
  const transformers = await loadTransformers();
  try {
    const processor = await transformers.AutoProcessor.from_pretrained(folder.dir);
    const model = await transformers.AutoModelForImageTextToText.from_pretrained(folder.dir, {
      dtype: folder.dtype as 'fp32',
      device: 'cpu',
    });
    const configs = model as unknown as { config?: { text_config?: unknown }; generation_config?: unknown };
    const eosIds = eosIdsOf(configs.generation_config, configs.config, configs.config?.text_config);
    return { folder, transformers, processor, model, eosIds };
  } catch (error) {
    throw new ChatError('model-load-failed', `cannot load model ${folder.dir} (${folder.modelType}, ${folder.dtype}): ${String((error as Error).message ?? error).split('\n')[0]}`,
      'check that the folder is a transformers.js (ONNX) export of an image-text-to-text model');
  }
}

/** Processors whose call takes (text, images); the others take (images, text). */
const TEXT_FIRST = new Set(['Idefics3Processor', 'Gemma3Processor', 'Gemma3nProcessor', 'Gemma4Processor', 'Qwen2VLProcessor', 'Phi3VProcessor']);

function renderPrompt(loaded: LoadedModel, messages: TemplateMessage[]): string {
  if (PROMPT_ONLY.has(loaded.folder.processorClass)) {
    const lastUser = [...messages].reverse().find((message) => message.role === 'user');
    return (lastUser?.content ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('');
  }
  return loaded.processor.apply_chat_template(messages as never, { add_generation_prompt: true }) as string;
}

/** Renders the chat template and runs the processor: input_ids, attention_mask, pixel_values. */
export async function prepareInputs(loaded: LoadedModel, messages: TemplateMessage[], images: DecodedImage[]): Promise<Record<string, unknown>> {
  const { processor, transformers } = loaded;
  const prompt = renderPrompt(loaded, messages);
  if (images.length === 0) {
    // The template already holds every special token; adding a BOS again would change the answer.
    return processor.tokenizer!(prompt, { add_special_tokens: false }) as unknown as Record<string, unknown>;
  }
  const raw = images.map((image) => new transformers.RawImage(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength), image.width, image.height, 3));
  const pixels = raw.length === 1 ? raw[0] : raw;
  const call = processor as unknown as (a: unknown, b: unknown) => Promise<Record<string, unknown>>;
  return TEXT_FIRST.has(loaded.folder.processorClass) ? await call(prompt, pixels) : await call(pixels, prompt);
}
