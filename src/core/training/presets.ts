import { LANGUAGE_MODEL_TARGETS, type TrainConfig } from './schema';

/** Fields a preset sets; the rest come from the caller (model, dataset, output_dir) or the schema defaults. */
export type PresetFields = Partial<Omit<TrainConfig, 'model' | 'dataset' | 'output_dir' | 'push'>>;

export interface Preset {
  name: string;
  title: string;
  /** Where the numbers come from, and what is wrong with them when something is. */
  description: string;
  fields: PresetFields;
}

/** `all-linear` as PEFT resolves it on a LLaVA: every nn.Linear but lm_head, the CLIP tower's included. */
export const ALL_LINEAR_TARGETS = '.*\\.(q_proj|k_proj|v_proj|o_proj|out_proj|gate_proj|up_proj|down_proj|fc1|fc2|linear_1|linear_2)';

export const PRESETS: readonly Preset[] = [
  {
    name: 'seed-notebook',
    title: 'Seed notebook (as written — known problems)',
    description: 'The hyperparameters of the seed notebook (TRL\'s vsft_llava example): QLoRA-style 4-bit, r=64 α=16 on all-linear, lr 1.4e-5, batch 8, 1 epoch, fp16, logging every 5 steps. '
      + 'Kept to reproduce old runs. What it gets wrong: it trains on the prompt and the 576 image positions (this worker masks them anyway); '
      + 'fp16 instead of bf16; all-linear puts LoRA on the CLIP vision tower; lr 1.4e-5 is about 14× below LLaVA\'s LoRA 2e-4; '
      + 'its load_in_4bit=True alone is fp4 without double quant (method qlora here always means nf4 + double quant + bf16 compute); '
      + 'it clipped at 1.0 with plain AdamW, where method qlora clips at 0.3 with paged AdamW.',
    fields: {
      method: 'qlora',
      lora: { r: 64, alpha: 16, dropout: 0.05, target_regex: ALL_LINEAR_TARGETS },
      lr: 1.4e-5, projector_lr: 1.4e-5, epochs: 1, max_steps: null,
      per_device_batch: 8, grad_accum: 1, warmup_ratio: 0, scheduler: 'linear',
      gradient_checkpointing: true, logging_steps: 5, bf16: false,
    },
  },
  {
    name: 'llava-lora',
    title: 'LLaVA paper LoRA',
    description: 'LLaVA-1.5\'s LoRA fine-tune: r=128 α=256, lr 2e-4, projector lr 2e-5, cosine schedule, 3% warmup, bf16, LoRA on the language model only.',
    fields: {
      method: 'lora',
      lora: { r: 128, alpha: 256, dropout: 0.05, target_regex: LANGUAGE_MODEL_TARGETS },
      lr: 2e-4, projector_lr: 2e-5, epochs: 1, warmup_ratio: 0.03, scheduler: 'cosine',
      per_device_batch: 16, grad_accum: 1, gradient_checkpointing: true, bf16: true,
    },
  },
  {
    name: 'qlora',
    title: 'QLoRA paper',
    description: 'QLoRA (Dettmers et al. 2023): 4-bit NF4 base with double quantization and bf16 compute, r=64 α=16, lr 2e-4, constant schedule with 3% warmup; gradient clipping 0.3 and paged AdamW come with method qlora.',
    fields: {
      method: 'qlora',
      lora: { r: 64, alpha: 16, dropout: 0.05, target_regex: LANGUAGE_MODEL_TARGETS },
      lr: 2e-4, projector_lr: 2e-5, warmup_ratio: 0.03, scheduler: 'constant_with_warmup',
      per_device_batch: 4, grad_accum: 4, gradient_checkpointing: true, bf16: true,
    },
  },
  {
    name: 'small-gpu-12gb',
    title: 'Small GPU (12 GB)',
    description: 'Fits a 7B LLaVA-1.5 on a 12 GB card: QLoRA r=16 α=32, batch 1 × 16 accumulation, gradient checkpointing, max_length 1536 (576 image tokens + text; longer rows are dropped, not cut).',
    fields: {
      method: 'qlora',
      lora: { r: 16, alpha: 32, dropout: 0.05, target_regex: LANGUAGE_MODEL_TARGETS },
      lr: 2e-4, projector_lr: 2e-5, warmup_ratio: 0.03, scheduler: 'cosine', max_length: 1536,
      per_device_batch: 1, grad_accum: 16, gradient_checkpointing: true, bf16: true,
    },
  },
];

export function findPreset(name: string): Preset {
  const preset = PRESETS.find((p) => p.name === name);
  if (!preset) throw new Error(`unknown preset '${name}': use one of ${PRESETS.map((p) => p.name).join(', ')}`);
  return preset;
}
