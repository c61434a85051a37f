import type { ModelArchitecture } from './modelArch';

/** One nn.Linear, named as transformers v5 names it (the names LoRA target regexes are matched against). */
export interface LinearModule {
  name: string;
  in: number;
  out: number;
  bias: boolean;
  part: 'language' | 'vision' | 'projector' | 'head';
}

export interface ParamCounts {
  language: number;
  vision: number;
  projector: number;
  /** lm_head when not tied to the embeddings (0 when tied). */
  head: number;
  /** Language-model embeddings (never quantized). */
  embeddings: number;
  total: number;
}

const linear = (name: string, input: number, output: number, bias: boolean, part: LinearModule['part']): LinearModule => ({ name, in: input, out: output, bias, part });

function languageLinears(arch: ModelArchitecture): LinearModule[] {
  const t = arch.text;
  const q = t.heads * t.headDim;
  const kv = t.kvHeads * t.headDim;
  const out: LinearModule[] = [];
  for (let i = 0; i < t.layers; i++) {
    const p = `${arch.lmPrefix}.${i}`;
    out.push(
      linear(`${p}.self_attn.q_proj`, t.hidden, q, t.qkvBias, 'language'),
      linear(`${p}.self_attn.k_proj`, t.hidden, kv, t.qkvBias, 'language'),
      linear(`${p}.self_attn.v_proj`, t.hidden, kv, t.qkvBias, 'language'),
      linear(`${p}.self_attn.o_proj`, q, t.hidden, false, 'language'),
      linear(`${p}.mlp.gate_proj`, t.hidden, t.intermediate, false, 'language'),
      linear(`${p}.mlp.up_proj`, t.hidden, t.intermediate, false, 'language'),
      linear(`${p}.mlp.down_proj`, t.intermediate, t.hidden, false, 'language'),
    );
  }
  if (!t.tiedEmbeddings) out.push(linear('lm_head', t.hidden, t.vocab, false, 'head'));
  return out;
}

function visionLinears(arch: ModelArchitecture): LinearModule[] {
  const v = arch.vision;
  if (!v) return [];
  const out: LinearModule[] = [];
  for (let i = 0; i < v.layers; i++) {
    if (v.kind === 'qwen2_vl') {
      const p = `model.visual.blocks.${i}`;
      out.push(
        linear(`${p}.attn.qkv`, v.hidden, 3 * v.hidden, true, 'vision'),
        linear(`${p}.attn.proj`, v.hidden, v.hidden, true, 'vision'),
        linear(`${p}.mlp.fc1`, v.hidden, v.intermediate, true, 'vision'),
        linear(`${p}.mlp.fc2`, v.intermediate, v.hidden, true, 'vision'),
      );
      continue;
    }
    const p = `model.vision_tower.vision_model.encoder.layers.${i}`;
    out.push(
      ...['q_proj', 'k_proj', 'v_proj', 'out_proj'].map((n) => linear(`${p}.self_attn.${n}`, v.hidden, v.hidden, true, 'vision')),
      linear(`${p}.mlp.fc1`, v.hidden, v.intermediate, true, 'vision'),
      linear(`${p}.mlp.fc2`, v.intermediate, v.hidden, true, 'vision'),
    );
  }
  return out;
}

function projectorLinears(arch: ModelArchitecture): LinearModule[] {
  const v = arch.vision;
  if (!v) return [];
  const h = arch.text.hidden;
  if (v.kind === 'qwen2_vl') {
    const merged = v.hidden * (v.spatialMerge ?? 2) ** 2;
    return [
      linear('model.visual.merger.mlp.0', merged, merged, true, 'projector'),
      linear('model.visual.merger.mlp.2', merged, v.outHidden ?? h, true, 'projector'),
    ];
  }
  if (arch.modelType === 'paligemma') return [linear('model.multi_modal_projector.linear', arch.projectorIn, h, true, 'projector')];
  if (arch.modelType === 'idefics3' || arch.modelType === 'smolvlm') {
    return [linear('model.connector.modality_projection.proj', arch.projectorIn * arch.projectorScale ** 2, h, false, 'projector')];
  }
  return [
    linear('model.multi_modal_projector.linear_1', arch.projectorIn, h, true, 'projector'),
    linear('model.multi_modal_projector.linear_2', h, h, true, 'projector'),
  ];
}

/** Every linear layer of the model, in module order. */
export function linearModules(arch: ModelArchitecture): LinearModule[] {
  return [...visionLinears(arch), ...projectorLinears(arch), ...languageLinears(arch)];
}

const weightCount = (m: LinearModule): number => m.in * m.out + (m.bias ? m.out : 0);

/** Parameters that are not in a linear layer: embeddings, norms, patch/position embeddings. */
function nonLinear(arch: ModelArchitecture): { language: number; vision: number; embeddings: number } {
  const t = arch.text;
  const embeddings = t.vocab * t.hidden;
  const language = t.layers * 2 * t.hidden + t.hidden;
  const v = arch.vision;
  if (!v) return { language, vision: 0, embeddings };
  if (v.kind === 'qwen2_vl') {
    const patch = 3 * 2 * v.patchSize * v.patchSize * v.hidden;
    return { language, vision: patch + v.layers * 4 * v.hidden + 2 * v.hidden, embeddings };
  }
  const patches = Math.floor(v.imageSize / v.patchSize) ** 2 + (v.classToken ? 1 : 0);
  const patchEmbed = 3 * v.patchSize * v.patchSize * v.hidden + (v.classToken ? 0 : v.hidden);
  const norms = v.layers * 4 * v.hidden + (v.classToken ? 4 : 2) * v.hidden;
  return { language, vision: patchEmbed + patches * v.hidden + (v.classToken ? v.hidden : 0) + norms, embeddings };
}

export function countParams(arch: ModelArchitecture, modules = linearModules(arch)): ParamCounts {
  const sum = (part: LinearModule['part']): number => modules.filter((m) => m.part === part).reduce((a, m) => a + weightCount(m), 0);
  const extra = nonLinear(arch);
  const counts = {
    language: sum('language') + extra.language,
    vision: sum('vision') + extra.vision,
    projector: sum('projector'),
    head: sum('head'),
    embeddings: extra.embeddings,
  };
  return { ...counts, total: counts.language + counts.vision + counts.projector + counts.head + counts.embeddings };
}

/** PEFT matches a string target as `re.fullmatch(regex, module_name)`. */
export function targetMatcher(regex: string): (name: string) => boolean {
  const re = new RegExp(`^(?:${regex})$`);
  return (name) => re.test(name);
}

/** Linear modules a LoRA target regex selects, and the adapter parameters r × (in + out) each. */
export function loraParams(modules: LinearModule[], regex: string, r: number): { modules: LinearModule[]; params: number } {
  const matches = targetMatcher(regex);
  const chosen = modules.filter((m) => matches(m.name));
  return { modules: chosen, params: chosen.reduce((a, m) => a + r * (m.in + m.out), 0) };
}
