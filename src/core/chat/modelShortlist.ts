/**
 * Small image-text-to-text models with transformers.js ONNX exports, offered for a one-time download
 * (src/core/hub/download.ts with modelFileFilter(suffix)). Sizes are approximate totals of the files
 * that variant needs, read off the Hub's file listings; the Hub's listing at download time is the
 * truth (the progress bar uses it). Any local folder works too; this list is only a starting point.
 */
import { DTYPE_SUFFIX } from './modelFolder';

export interface ShortlistModel {
  /** Hub repo id. */
  repo: string;
  label: string;
  /** config.json model_type. */
  architecture: string;
  /** Recommended variant on CPU and its file-name suffix (onnx/<session><suffix>.onnx). */
  dtype: keyof typeof DTYPE_SUFFIX;
  suffix: string;
  /** Approximate download for that variant, MB. */
  approxMb: number;
  /** Other variants the repo offers. */
  otherDtypes: (keyof typeof DTYPE_SUFFIX)[];
  notes: string;
}

const variant = (dtype: keyof typeof DTYPE_SUFFIX) => ({ dtype, suffix: DTYPE_SUFFIX[dtype]! });

export const MODEL_SHORTLIST: readonly ShortlistModel[] = [
  {
    repo: 'HuggingFaceTB/SmolVLM-256M-Instruct',
    label: 'SmolVLM 256M Instruct',
    architecture: 'idefics3',
    ...variant('q4'),
    approxMb: 270,
    otherDtypes: ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4f16', 'bnb4'],
    notes: 'smallest; the ONNX export lives in the original repo (onnx/); good first download',
  },
  {
    repo: 'HuggingFaceTB/SmolVLM-500M-Instruct',
    label: 'SmolVLM 500M Instruct',
    architecture: 'idefics3',
    ...variant('q4'),
    approxMb: 520,
    otherDtypes: ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4f16', 'bnb4'],
    notes: 'better answers than 256M at about twice the time per token',
  },
  {
    repo: 'onnx-community/llava-onevision-qwen2-0.5b-ov-hf',
    label: 'LLaVA-OneVision Qwen2 0.5B',
    architecture: 'llava_onevision',
    ...variant('q4'),
    approxMb: 700,
    otherDtypes: ['fp32', 'fp16', 'q8', 'q4f16'],
    notes: 'LLaVA family; many image tokens per image, so the first token takes longer on CPU',
  },
  {
    repo: 'onnx-community/Florence-2-base-ft',
    label: 'Florence-2 base (ft)',
    architecture: 'florence2',
    ...variant('q8'),
    approxMb: 280,
    otherDtypes: ['fp32', 'fp16', 'q4'],
    notes: 'task prompts instead of chat (e.g. <MORE_DETAILED_CAPTION>, <OCR>); the last user message is the prompt',
  },
];

export function findShortlisted(repo: string): ShortlistModel | undefined {
  return MODEL_SHORTLIST.find((model) => model.repo.toLowerCase() === repo.toLowerCase());
}
