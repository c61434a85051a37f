/**
 * The training config: ONE JSON schema (draft-07) that validates every field, gives the form its
 * labels and defaults, and is published as media/llava-studio.train.schema.json for `*.train.json`.
 * The Python worker reads run.json's `config` with exactly these snake_case names.
 */

export type TrainMethod = 'lora' | 'qlora' | 'projector';
/** The formats the worker reads (native-bin/llava_studio_worker/config.py FORMATS). */
export type DatasetFormat = 'auto' | 'llava-json' | 'llava-jsonl' | 'messages-json' | 'messages-jsonl' | 'hf-parquet' | 'hf-arrow';
export type Scheduler = 'cosine' | 'linear' | 'constant' | 'constant_with_warmup' | 'cosine_with_restarts' | 'polynomial';

export interface DatasetConfig {
  path: string;
  format: DatasetFormat;
  images_dir: string | null;
  eval_path: string | null;
  eval_ratio: number;
}

export interface LoraConfig {
  r: number;
  alpha: number;
  dropout: number;
  target_regex: string;
}

export interface PushConfig {
  repo_id: string;
  private: boolean;
}

export interface TrainConfig {
  $schema?: string;
  model: string;
  dataset: DatasetConfig;
  output_dir: string;
  method: TrainMethod;
  lora: LoraConfig;
  lr: number;
  /** null = the method's default (2e-5 beside LoRA, 1e-3 for projector-only); completeConfig fills it in. */
  projector_lr: number | null;
  epochs: number;
  max_steps: number | null;
  per_device_batch: number;
  grad_accum: number;
  warmup_ratio: number;
  scheduler: Scheduler;
  max_length: number;
  gradient_checkpointing: boolean;
  eval_steps: number | null;
  save_steps: number;
  logging_steps: number;
  save_total_limit: number | null;
  seed: number;
  bf16: boolean;
  push: PushConfig | null;
}

/** LoRA on the language model's attention and MLP projections only (never the vision tower); the worker's LM_TARGET_REGEX. */
export const LANGUAGE_MODEL_TARGETS = '.*language_model.*\\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)';

/** LoRA settings a method starts from (the worker's LORA_DEFAULTS): LLaVA's for lora, QLoRA's for qlora. */
export const LORA_DEFAULTS: Record<TrainMethod, LoraConfig> = {
  lora: { r: 128, alpha: 256, dropout: 0.05, target_regex: LANGUAGE_MODEL_TARGETS },
  qlora: { r: 64, alpha: 16, dropout: 0.05, target_regex: LANGUAGE_MODEL_TARGETS },
  projector: { r: 128, alpha: 256, dropout: 0.05, target_regex: LANGUAGE_MODEL_TARGETS },
};

/** The projector's learning rate by method (the worker's PROJECTOR_LR_DEFAULTS). */
export const PROJECTOR_LR_DEFAULTS: Record<TrainMethod, number> = { lora: 2e-5, qlora: 2e-5, projector: 1e-3 };

const HUB_ID = '^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$';
const nullableInt = (minimum: number, description: string, fallback: number | null): object => ({
  type: ['integer', 'null'], minimum, default: fallback, description,
});

export const trainConfigSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'LLaVA Studio training config',
  description: 'Fine-tunes a LLaVA-style vision-language model with LoRA, QLoRA or a projector-only pass. Relative paths are relative to this file. The optimizer and clipping follow the method: AdamW and clip 1.0, or paged AdamW and clip 0.3 for qlora (as QLoRA does).',
  type: 'object',
  additionalProperties: false,
  required: ['model', 'dataset', 'output_dir', 'method'],
  properties: {
    $schema: { type: 'string', description: 'Path or URL of this schema (for the editor).' },
    model: {
      type: 'string', minLength: 1,
      description: 'Base model: a Hugging Face Hub id (org/name) or a local folder with config.json and weights.',
    },
    dataset: {
      type: 'object', additionalProperties: false, required: ['path'],
      description: 'Training data.',
      properties: {
        path: { type: 'string', minLength: 1, description: 'Training file or folder (LLaVA JSON, messages JSONL, parquet, or a save_to_disk folder).' },
        format: { enum: ['auto', 'llava-json', 'llava-jsonl', 'messages-json', 'messages-jsonl', 'hf-parquet', 'hf-arrow'], default: 'auto', description: 'Dataset format (the same names the dataset preview and `llava-studio validate` report); `auto` detects it from the file.' },
        images_dir: { type: ['string', 'null'], default: null, description: 'Folder that relative image paths in the dataset are resolved against (default: the dataset file\'s folder).' },
        eval_path: { type: ['string', 'null'], default: null, description: 'Separate evaluation file; when null, `eval_ratio` of the training rows are held out.' },
        eval_ratio: { type: 'number', minimum: 0, maximum: 0.5, default: 0, description: 'Fraction of training rows held out for evaluation when there is no eval_path (0 = no evaluation).' },
      },
      // eval_path and eval_ratio are alternatives: a held-out share beside an eval file is a mistake.
      if: { properties: { eval_path: { type: 'string' } }, required: ['eval_path'] },
      then: { properties: { eval_ratio: { const: 0, description: 'Must be 0 when eval_path is given.' } } },
    },
    output_dir: { type: 'string', minLength: 1, description: 'The run folder: checkpoints, logs, events.jsonl, run.json and final/ go here.' },
    method: {
      enum: ['lora', 'qlora', 'projector'],
      description: '`lora`: LoRA adapters on a bf16 base (AdamW, clip 1.0). `qlora`: LoRA on a 4-bit NF4 + double-quant base with bf16 compute, paged AdamW, clip 0.3 (needs bitsandbytes). `projector`: full training of the multimodal projector only.',
    },
    lora: {
      type: ['object', 'null'], additionalProperties: false,
      description: 'LoRA adapter settings (ignored by method `projector`). Missing fields take the method\'s defaults: r=128 α=256 for lora (LLaVA), r=64 α=16 for qlora (QLoRA).',
      properties: {
        r: { type: 'integer', minimum: 1, maximum: 1024, description: 'LoRA rank.' },
        alpha: { type: 'number', exclusiveMinimum: 0, description: 'LoRA alpha (scaling = alpha / r).' },
        dropout: { type: 'number', minimum: 0, maximum: 0.9, description: 'Dropout on the LoRA input.' },
        target_regex: {
          type: 'string', minLength: 1, format: 'regex',
          description: 'Regular expression (full match on the module name, as PEFT does) selecting the linear layers that get adapters. The default targets the language model only; `all-linear` would also put adapters on the vision tower.',
        },
      },
    },
    lr: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 2e-4, description: 'Peak learning rate (LoRA adapters, or the projector for method `projector`).' },
    projector_lr: {
      type: ['number', 'null'], exclusiveMinimum: 0, maximum: 1,
      description: 'Learning rate of the multimodal projector. null = the method\'s default: 2e-5 beside LoRA adapters (LLaVA), 1e-3 for projector-only training (LLaVA stage 1).',
    },
    epochs: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'Passes over the training data (ignored when max_steps is set).' },
    max_steps: { type: ['integer', 'null'], minimum: -1, not: { const: 0 }, default: null, description: 'Total optimizer steps; overrides epochs when set (null or -1 = use epochs).' },
    per_device_batch: { type: 'integer', minimum: 1, default: 4, description: 'Rows per GPU per forward pass.' },
    grad_accum: { type: 'integer', minimum: 1, default: 4, description: 'Gradient accumulation steps (effective batch = per_device_batch × grad_accum × GPUs).' },
    warmup_ratio: { type: 'number', minimum: 0, maximum: 0.5, default: 0.03, description: 'Fraction of steps spent warming the learning rate up.' },
    scheduler: { enum: ['cosine', 'linear', 'constant', 'constant_with_warmup', 'cosine_with_restarts', 'polynomial'], default: 'cosine', description: 'Learning-rate schedule.' },
    max_length: {
      type: 'integer', minimum: 32, maximum: 131072, default: 2048,
      description: 'Longest row in tokens, image tokens included. Rows over it are dropped and counted, never truncated (truncation would cut image tokens).',
    },
    gradient_checkpointing: { type: 'boolean', default: true, description: 'Recompute activations in the backward pass: much less memory, about 30% slower.' },
    eval_steps: nullableInt(1, 'Evaluate every N steps (null = only when there is an eval set, at each save).', null),
    save_steps: { type: 'integer', minimum: 1, default: 200, description: 'Save a checkpoint every N steps.' },
    logging_steps: { type: 'integer', minimum: 1, default: 10, description: 'Log loss and learning rate every N steps.' },
    save_total_limit: nullableInt(1, 'Keep at most N checkpoints (null = keep all).', 3),
    seed: { type: 'integer', minimum: 0, default: 42, description: 'Random seed (data order, LoRA init, eval split).' },
    bf16: { type: 'boolean', default: true, description: 'bf16 weights and compute (Ampere or newer). false = fp16 mixed precision.' },
    push: {
      type: ['object', 'null'], additionalProperties: false, required: ['repo_id'], default: null,
      description: 'Upload final/ (adapter, processor files, model card) to the Hub when training completes (null = do not push).',
      properties: {
        repo_id: { type: 'string', pattern: HUB_ID, description: 'Target repository, `namespace/name`.' },
        private: { type: 'boolean', default: true, description: 'Create the repository as private.' },
      },
    },
  },
} as const;

/** The published file's text (media/llava-studio.train.schema.json). */
export function trainSchemaJsonText(): string {
  return JSON.stringify(trainConfigSchema, null, 2) + '\n';
}
