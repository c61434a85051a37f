import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { ProcessorSize } from './imageDecode';
import { ChatError } from './types';

/** transformers.js dtype → ONNX file-name suffix (its DEFAULT_DTYPE_SUFFIX_MAPPING). */
export const DTYPE_SUFFIX: Record<string, string> = {
  fp32: '',
  fp16: '_fp16',
  int8: '_int8',
  uint8: '_uint8',
  q8: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

/** Preference on CPU when the caller names none: full precision, then 8-bit, then 4-bit. */
const CPU_PREFERENCE = ['fp32', 'q8', 'int8', 'uint8', 'q4', 'fp16', 'q4f16', 'bnb4'];

/** Processors that also read processor_config.json (image token, patch size). */
const NEEDS_PROCESSOR_CONFIG = new Set(['LlavaProcessor', 'Idefics3Processor', 'Gemma3Processor', 'PixtralProcessor']);

/** Task-prompt models without a chat template: the last user text is the prompt. */
export const PROMPT_ONLY = new Set(['Florence2Processor']);

export interface ModelFolder {
  dir: string;
  /** Folder name, reported as the answer's `model`. */
  name: string;
  modelType: string;
  /** preprocessor_config.json's processor_class, e.g. LlavaProcessor. */
  processorClass: string;
  dtype: string;
  sessions: string[];
  processorSize: ProcessorSize | undefined;
}

async function readJson(dir: string, file: string): Promise<Record<string, unknown>> {
  const text = await readFile(join(dir, file), 'utf8');
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ChatError('model-incomplete', `${file} in ${dir} is not valid JSON: ${(error as Error).message}`, 're-download the model');
  }
}

/** The ONNX sessions transformers.js opens for an image-text-to-text model. */
export function requiredSessions(config: Record<string, unknown>): string[] {
  const sessions = ['vision_encoder', 'embed_tokens', 'decoder_model_merged'];
  if (config.is_encoder_decoder) sessions.push('encoder_model');
  return sessions;
}

/**
 * Checks a model folder before transformers.js sees it: its errors for a missing file are confusing
 * and it caches the miss per path until restart. Throws a ChatError naming the first missing file.
 */
export async function checkModelFolder(dir: string, dtype?: string): Promise<ModelFolder> {
  if (!isAbsolute(dir)) throw new ChatError('model-incomplete', `model folder must be an absolute path: ${dir}`, 'a bare name is looked up inside the transformers.js package');
  const top = await readdir(dir).catch(() => null);
  if (!top) throw new ChatError('model-incomplete', `model folder not found: ${dir}`, 'pick a folder that holds config.json and onnx/');
  const missing = (file: string) =>
    new ChatError('model-incomplete', `model folder ${dir} is incomplete: missing ${file}`, 'download the model again, or pick the folder that holds config.json');
  for (const file of ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json']) {
    if (!top.includes(file)) throw missing(file);
  }
  const config = await readJson(dir, 'config.json');
  const preprocessor = await readJson(dir, 'preprocessor_config.json');
  const tokenizerConfig = await readJson(dir, 'tokenizer_config.json');
  const processorClass = String(preprocessor.processor_class ?? '');
  if (NEEDS_PROCESSOR_CONFIG.has(processorClass) && !top.includes('processor_config.json')) throw missing('processor_config.json');
  const hasTemplate = Boolean(tokenizerConfig.chat_template) || top.includes('chat_template.jinja') || top.includes('chat_template.json');
  if (!hasTemplate && !PROMPT_ONLY.has(processorClass)) {
    throw new ChatError('model-incomplete', `model folder ${dir} has no chat template (tokenizer_config.json has no chat_template)`, 'use a chat/instruct model, or add the template to tokenizer_config.json');
  }
  const onnxFiles = await readdir(join(dir, 'onnx')).catch(() => null);
  if (!onnxFiles) throw missing('onnx/');
  const sessions = requiredSessions(config);
  const has = (name: string) => sessions.every((session) => onnxFiles.includes(`${session}${DTYPE_SUFFIX[name]}.onnx`));
  const jsConfig = (config['transformers.js_config'] ?? {}) as { dtype?: unknown };
  let chosen: string | undefined;
  if (dtype !== undefined) {
    if (!(dtype in DTYPE_SUFFIX)) throw new ChatError('model-incomplete', `unknown dtype ${dtype}`, `use one of ${Object.keys(DTYPE_SUFFIX).join(', ')}`);
    const absent = sessions.find((session) => !onnxFiles.includes(`${session}${DTYPE_SUFFIX[dtype]}.onnx`));
    if (absent) throw missing(`onnx/${absent}${DTYPE_SUFFIX[dtype]}.onnx`);
    chosen = dtype;
  } else {
    // The export's own preference first (when its files are here), then ours.
    const preferred = typeof jsConfig.dtype === 'string' && jsConfig.dtype in DTYPE_SUFFIX ? [jsConfig.dtype] : [];
    chosen = [...preferred, ...CPU_PREFERENCE].find(has);
    if (!chosen) {
      const absent = sessions.find((session) => !onnxFiles.some((file) => file.startsWith(session))) ?? sessions.join(', ');
      throw missing(`onnx/${absent}.onnx (no dtype variant has all of ${sessions.join(', ')})`);
    }
  }
  return {
    dir,
    name: dir.split(/[\\/]/).filter(Boolean).pop() ?? dir,
    modelType: String(config.model_type ?? 'unknown'),
    processorClass,
    dtype: chosen,
    sessions,
    processorSize: preprocessor.size as ProcessorSize | undefined,
  };
}
