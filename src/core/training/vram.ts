/**
 * Peak GPU memory of one training process, from the model's shape and the config. An engineer's
 * estimate, not a measurement: it says which settings fit, and roughly by how much.
 *
 * What the worker does (native-bin/llava_studio_worker/model_setup.py), each a constant below: frozen
 * weights in bf16/fp16 (2 B); QLoRA quantizes the language model's linear layers to NF4 (0.5 B +
 * double-quant absmax) and skips the vision tower, projector and lm_head, then upcasts only the
 * language model's norms to fp32 (not every non-4-bit weight, as PEFT's prepare_model_for_kbit_training
 * would: that costs ≈ 1.2 GB more on LLaVA-1.5-7B, half of it the frozen CLIP tower); trainable
 * weights (LoRA adapters, the projector or its modules_to_save copy) are upcast to fp32 and serve as
 * their own master copy, so each costs 4 B weight + 4 B gradient + 8 B AdamW m/v. SDPA attention (no
 * s² score matrix); one image per row.
 */
import type { ModelArchitecture } from './modelArch';
import { countParams, linearModules, loraParams, type LinearModule } from './paramCount';
import type { TrainConfig } from './schema';

export type EstimateSettings = Pick<TrainConfig, 'method' | 'lora' | 'per_device_batch' | 'max_length' | 'gradient_checkpointing'>;

export interface VramParts {
  weights: number;
  lora: number;
  optimizer: number;
  gradients: number;
  activations: number;
  overhead: number;
}

export interface VramEstimate {
  /** Bytes. */
  total: number;
  /** Bytes per part. */
  parts: VramParts;
  params: { total: number; trainable: number; lora: number; quantized: number };
  /** Tokens per forward pass on one GPU (per_device_batch × max_length). */
  tokens: number;
  notes: string[];
}

/** NF4: 4 bits + one 8-bit absmax per 64 weights + one fp32 constant per 256 blocks (double quantization). */
export const NF4_BYTES_PER_PARAM = 0.5 + 1 / 64 + 4 / (64 * 256);
const HALF = 2;
const FP32 = 4;
/** fp32 Adam m + v per trainable parameter: the worker uses AdamW, or paged AdamW (32-bit states) for qlora. */
const ADAM_BYTES = 8;
/** bf16 logits + their fp32 copy for the loss (cross-entropy in fp32). */
const LOGIT_BYTES = 8;
/** CUDA context, cuBLAS/cuDNN workspaces. */
export const CUDA_CONTEXT_BYTES = 0.8e9;
/** Allocator fragmentation and reserved-but-unused blocks, as a share of everything else. */
const FRAGMENTATION = 0.05;

/**
 * Activation elements stored per token per decoder layer without checkpointing: two norms (in + out),
 * q/k/v (+ rotary copies of q and k), attention output, residual, and the gated MLP's four I-wide tensors.
 */
function layerElementsPerToken(arch: ModelArchitecture): number {
  const t = arch.text;
  const q = t.heads * t.headDim;
  const kv = t.kvHeads * t.headDim;
  return 4 * t.hidden + 3 * q + 3 * kv + 4 * t.intermediate;
}

/** LoRA dropout keeps its own copy of each adapted module's input (bf16 + a 1-byte mask), plus the r-wide A output. */
function loraElementsPerToken(adapted: LinearModule[], arch: ModelArchitecture, settings: EstimateSettings): number {
  const layer0 = `${arch.lmPrefix}.0.`;
  const inLayer = adapted.filter((m) => m.name.startsWith(layer0));
  const dropout = settings.lora.dropout > 0 ? inLayer.reduce((a, m) => a + m.in * 1.5, 0) : 0;
  return dropout + inLayer.length * settings.lora.r;
}

export function estimateVram(arch: ModelArchitecture, settings: EstimateSettings): VramEstimate {
  const modules = linearModules(arch);
  const counts = countParams(arch, modules);
  const notes: string[] = [];
  const usesLora = settings.method !== 'projector';
  const adapters = usesLora ? loraParams(modules, settings.lora.target_regex, settings.lora.r) : { modules: [], params: 0 };
  if (usesLora && adapters.modules.length === 0) notes.push(`lora.target_regex matches no linear layer of this ${arch.modelType} model: nothing would train but the projector`);
  if (adapters.modules.some((m) => m.part === 'vision')) notes.push('lora.target_regex puts adapters on the vision tower');

  const projector = counts.projector;
  const quantized = settings.method === 'qlora' ? modules.filter((m) => m.part === 'language').reduce((a, m) => a + m.in * m.out, 0) : 0;
  // The language model's norms: kept in fp32 for QLoRA (model_setup.kbit_fp32_names).
  const lmNorms = arch.text.layers * 2 * arch.text.hidden + arch.text.hidden;
  let weights: number;
  if (settings.method === 'qlora') weights = quantized * NF4_BYTES_PER_PARAM + lmNorms * FP32 + (counts.total - quantized - lmNorms) * HALF;
  else if (settings.method === 'projector') weights = (counts.total - projector) * HALF + projector * FP32; // the projector itself trains, in fp32
  else weights = counts.total * HALF;
  // The projector trains in every method: beside LoRA as an fp32 modules_to_save copy (the frozen original stays in `weights`).
  const lora = adapters.params * FP32 + (usesLora ? projector * FP32 : 0);
  const trainable = adapters.params + projector;
  const optimizer = trainable * ADAM_BYTES;
  const gradients = trainable * FP32;

  const tokens = settings.per_device_batch * settings.max_length;
  const perLayer = tokens * (layerElementsPerToken(arch) + loraElementsPerToken(adapters.modules, arch, settings)) * HALF;
  const t = arch.text;
  const stored = settings.gradient_checkpointing ? t.layers * tokens * t.hidden * HALF + perLayer : t.layers * perLayer;
  const imageTokens = arch.imageTokens.max ?? arch.imageTokens.perImage ?? 0;
  const projectorActs = settings.per_device_batch * imageTokens * (arch.projectorIn + t.hidden) * HALF;
  const activations = stored + tokens * t.vocab * LOGIT_BYTES + projectorActs;

  const subtotal = weights + lora + optimizer + gradients + activations;
  const overhead = CUDA_CONTEXT_BYTES + FRAGMENTATION * subtotal;
  if (settings.method === 'qlora') {
    notes.push('paged AdamW (qlora): its states can spill to CPU memory under pressure, so the optimizer part is an upper bound');
    notes.push(`qlora keeps the ${((counts.total - quantized) / 1e9).toFixed(2)} B parameters that are not 4-bit (vision tower, embeddings, lm_head, projector) in bf16, only the language model's norms in fp32`);
  }
  if (arch.imageTokens.perImage === null) notes.push(`image tokens are dynamic for ${arch.modelType}: max_length bounds them`);
  return {
    total: subtotal + overhead,
    parts: { weights, lora, optimizer, gradients, activations, overhead },
    params: { total: counts.total, trainable, lora: adapters.params, quantized },
    tokens,
    notes,
  };
}

const gb = (bytes: number): number => Math.round(bytes / 1e7) / 100;

/** The `estimate --json` shape: decimal gigabytes (1 GB = 10⁹ bytes), two decimals. */
export function estimateReport(e: VramEstimate): { total_gb: number; parts: Record<keyof VramParts, number> } {
  const parts = Object.fromEntries(Object.entries(e.parts).map(([k, v]) => [k, gb(v)])) as Record<keyof VramParts, number>;
  return { total_gb: gb(e.total), parts };
}

/** GPU memory the probe reports (MiB, as torch.cuda.mem_get_info / 2²⁰) in bytes. */
export const mibToBytes = (mib: number): number => mib * 1024 * 1024;
