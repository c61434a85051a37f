/**
 * A model's shape, read from its config.json alone (no weights): the numbers the parameter count and
 * the VRAM estimate need. Hub configs often leave fields at the transformers class defaults (llava-hf's
 * text_config names only model_type and vocab_size), so missing fields fall back to those defaults.
 */

export interface DecoderShape {
  modelType: string;
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  tiedEmbeddings: boolean;
  /** q/k/v projections carry a bias (Qwen2). */
  qkvBias: boolean;
}

export interface VisionShape {
  /** `vit`: CLIP/SigLIP-style encoder; `qwen2_vl`: Qwen2-VL's patch-merging ViT. */
  kind: 'vit' | 'qwen2_vl';
  modelType: string;
  hidden: number;
  intermediate: number;
  layers: number;
  imageSize: number;
  patchSize: number;
  /** CLIP has a class token and a pre-layernorm; SigLIP has neither but a pooling head. */
  classToken: boolean;
  /** Qwen2-VL: output width of the patch merger, spatial merge size. */
  outHidden?: number;
  spatialMerge?: number;
}

export interface ImageTokens {
  /** Tokens one image becomes in the simplest case (LLaVA-1.5: 576); null when fully dynamic. */
  perImage: number | null;
  /** The most one image can become (anyres tiling); null when unbounded/dynamic. */
  max: number | null;
  note: string;
}

export interface ModelArchitecture {
  modelType: string;
  text: DecoderShape;
  vision: VisionShape | null;
  /** Input width of the projector (vision hidden × number of selected feature layers). */
  projectorIn: number;
  /** Pixel-shuffle factor of an Idefics3/SmolVLM connector (its input is projectorIn × scale²); 1 elsewhere. */
  projectorScale: number;
  imageTokens: ImageTokens;
  /** Module-name prefix of the language model's layers in transformers v5. */
  lmPrefix: string;
}

type Json = Record<string, unknown>;

const DECODER_DEFAULTS: Record<string, Partial<DecoderShape>> = {
  llama: { vocab: 32000, hidden: 4096, intermediate: 11008, layers: 32, heads: 32, tiedEmbeddings: false },
  mistral: { vocab: 32000, hidden: 4096, intermediate: 14336, layers: 32, heads: 32, kvHeads: 8, tiedEmbeddings: false },
  qwen2: { vocab: 151936, hidden: 4096, intermediate: 22016, layers: 32, heads: 32, tiedEmbeddings: false, qkvBias: true },
  gemma: { vocab: 256000, hidden: 3072, intermediate: 24576, layers: 28, heads: 16, kvHeads: 16, headDim: 256, tiedEmbeddings: true },
  gemma2: { vocab: 256000, hidden: 2304, intermediate: 9216, layers: 26, heads: 8, kvHeads: 4, headDim: 256, tiedEmbeddings: true },
};

const VISION_DEFAULTS: Record<string, Partial<VisionShape>> = {
  clip_vision_model: { hidden: 768, intermediate: 3072, layers: 12, imageSize: 224, patchSize: 32, classToken: true },
  siglip_vision_model: { hidden: 768, intermediate: 3072, layers: 12, imageSize: 224, patchSize: 16, classToken: false },
  idefics3_vision: { hidden: 1152, intermediate: 3072, layers: 32, imageSize: 224, patchSize: 32, classToken: false },
};

const num = (obj: Json, key: string): number | undefined => (typeof obj[key] === 'number' ? (obj[key] as number) : undefined);
const obj = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});

function need(value: number | undefined, field: string): number {
  if (value === undefined || !Number.isFinite(value) || value < 0) throw new Error(`config.json: ${field} is missing and has no known default: pass a model with a complete config.json`);
  return value;
}

export function decoderShape(text: Json, fallbackType = 'llama', tiedDefault?: boolean): DecoderShape {
  const modelType = typeof text.model_type === 'string' ? text.model_type : fallbackType;
  const d = DECODER_DEFAULTS[modelType] ?? Object.entries(DECODER_DEFAULTS).find(([key]) => modelType.startsWith(`${key}_`))?.[1] ?? {};
  const hidden = need(num(text, 'hidden_size') ?? d.hidden, 'text_config.hidden_size');
  const heads = need(num(text, 'num_attention_heads') ?? d.heads, 'text_config.num_attention_heads');
  const tied = typeof text.tie_word_embeddings === 'boolean' ? text.tie_word_embeddings : (tiedDefault ?? d.tiedEmbeddings ?? false);
  return {
    modelType,
    hidden,
    intermediate: need(num(text, 'intermediate_size') ?? d.intermediate, 'text_config.intermediate_size'),
    layers: need(num(text, 'num_hidden_layers') ?? d.layers, 'text_config.num_hidden_layers'),
    heads,
    kvHeads: num(text, 'num_key_value_heads') ?? d.kvHeads ?? heads,
    headDim: num(text, 'head_dim') ?? d.headDim ?? hidden / heads,
    vocab: need(num(text, 'vocab_size') ?? d.vocab, 'text_config.vocab_size'),
    tiedEmbeddings: tied,
    qkvBias: typeof text.attention_bias === 'boolean' ? text.attention_bias : (d.qkvBias ?? false),
  };
}

function visionShape(vision: Json, modelType: string): VisionShape {
  if (modelType === 'qwen2_vl' || modelType === 'qwen2_5_vl') {
    const embed = need(num(vision, 'embed_dim') ?? num(vision, 'hidden_size'), 'vision_config.embed_dim');
    return {
      kind: 'qwen2_vl', modelType,
      hidden: embed,
      intermediate: num(vision, 'intermediate_size') ?? embed * (num(vision, 'mlp_ratio') ?? 4),
      layers: need(num(vision, 'depth') ?? 32, 'vision_config.depth'),
      imageSize: 0,
      patchSize: num(vision, 'patch_size') ?? 14,
      classToken: false,
      outHidden: num(vision, 'hidden_size') ?? embed,
      spatialMerge: num(vision, 'spatial_merge_size') ?? 2,
    };
  }
  const type = typeof vision.model_type === 'string' ? vision.model_type : 'clip_vision_model';
  const d = VISION_DEFAULTS[type] ?? VISION_DEFAULTS.clip_vision_model!;
  return {
    kind: 'vit', modelType: type,
    hidden: need(num(vision, 'hidden_size') ?? d.hidden, 'vision_config.hidden_size'),
    intermediate: need(num(vision, 'intermediate_size') ?? d.intermediate, 'vision_config.intermediate_size'),
    layers: need(num(vision, 'num_hidden_layers') ?? d.layers, 'vision_config.num_hidden_layers'),
    imageSize: need(num(vision, 'image_size') ?? d.imageSize, 'vision_config.image_size'),
    patchSize: need(num(vision, 'patch_size') ?? d.patchSize, 'vision_config.patch_size'),
    classToken: d.classToken ?? true,
  };
}

function imageTokens(config: Json, modelType: string, vision: VisionShape | null, scale: number): ImageTokens {
  if (!vision) return { perImage: null, max: null, note: 'no vision tower in config.json' };
  if (vision.kind === 'qwen2_vl') return { perImage: null, max: null, note: 'dynamic resolution: (height/28)·(width/28) tokens per image' };
  const grid = Math.floor(vision.imageSize / vision.patchSize);
  if (scale > 1 || typeof config.image_seq_len === 'number') {
    const perTile = num(config, 'image_seq_len') ?? (grid * grid) / (scale * scale);
    return { perImage: perTile, max: null, note: `${perTile} tokens per image tile; large images are split into several tiles` };
  }
  const strategy = config.vision_feature_select_strategy;
  const base = num(config, 'image_seq_length') ?? grid * grid + (strategy === 'full' && vision.classToken ? 1 : 0);
  const pinpoints = Array.isArray(config.image_grid_pinpoints) ? (config.image_grid_pinpoints as unknown[]) : [];
  if (pinpoints.length === 0) return { perImage: base, max: base, note: `${base} tokens per image (${vision.imageSize}/${vision.patchSize})²` };
  const maxTiles = /anyres_max_(\d+)/.exec(String(config.vision_aspect_ratio ?? ''))?.[1];
  let max = base;
  for (const point of pinpoints) {
    if (!Array.isArray(point) || point.length !== 2) continue;
    const [h, w] = point as [number, number];
    const rows = Math.ceil(h / vision.imageSize);
    const tiles = Math.min(rows * Math.ceil(w / vision.imageSize), maxTiles ? Number(maxTiles) : Infinity);
    max = Math.max(max, base + tiles * grid * grid + rows * grid);
  }
  return { perImage: base, max, note: `anyres: ${base} to ${max} tokens per image depending on its size (${modelType})` };
}

/** The architecture of a model from its parsed config.json. */
export function architectureFromConfig(raw: unknown): ModelArchitecture {
  const config = obj(raw);
  const modelType = typeof config.model_type === 'string' ? config.model_type : 'unknown';
  const nested = config.text_config !== undefined;
  const text = decoderShape(nested ? obj(config.text_config) : config, nested ? 'llama' : modelType,
    typeof config.tie_word_embeddings === 'boolean' ? config.tie_word_embeddings : undefined);
  const visionJson = config.vision_config === undefined ? null : obj(config.vision_config);
  const vision = visionJson ? visionShape(visionJson, modelType) : null;
  const layers = Array.isArray(config.vision_feature_layer) ? config.vision_feature_layer.length : 1;
  const scale = num(config, 'scale_factor') ?? (modelType === 'idefics3' ? 2 : 1);
  return {
    modelType,
    text,
    vision,
    projectorIn: vision ? vision.hidden * layers : 0,
    projectorScale: scale,
    imageTokens: imageTokens(config, modelType, vision, scale),
    lmPrefix: 'model.language_model.layers',
  };
}
