/**
 * The Fine-tune form's draft ↔ TrainConfig. The draft holds what a person typed; `rawConfigOf` turns
 * it into the object the ONE schema validates (a number that does not parse stays a string, so the
 * schema names it), and `draftIssues` maps the schema's dotted field paths back onto form fields.
 * No vscode here: unit-tested, and the browser harness runs it as is.
 */
import { basename } from 'node:path';
import { completeConfig, validateConfig, type ConfigIssue } from '../../core/training/config';
import type { FitSuggestion } from '../../core/training/fit';
import { findPreset, PRESETS } from '../../core/training/presets';
import { trainConfigSchema, type TrainConfig } from '../../core/training/schema';
import type { DraftField, FieldInfo, FieldIssue, TrainDraft } from '../../protocol/train';

/** Schema field path → the form field that edits it. */
export const FIELD_OF_PATH: Record<string, DraftField> = {
  model: 'model', dataset: 'datasetPath', 'dataset.path': 'datasetPath', 'dataset.format': 'datasetFormat', 'dataset.images_dir': 'imagesDir',
  'dataset.eval_path': 'evalPath', 'dataset.eval_ratio': 'evalRatio', output_dir: 'outputDir', method: 'method',
  lora: 'loraR', 'lora.r': 'loraR', 'lora.alpha': 'loraAlpha', 'lora.dropout': 'loraDropout', 'lora.target_regex': 'loraTargets',
  lr: 'lr', projector_lr: 'projectorLr', epochs: 'epochs', max_steps: 'maxSteps', per_device_batch: 'perDeviceBatch', grad_accum: 'gradAccum',
  warmup_ratio: 'warmupRatio', scheduler: 'scheduler', max_length: 'maxLength', gradient_checkpointing: 'gradientCheckpointing', bf16: 'bf16',
  eval_steps: 'evalSteps', save_steps: 'saveSteps', logging_steps: 'loggingSteps', save_total_limit: 'saveTotalLimit', seed: 'seed',
  push: 'pushRepoId', 'push.repo_id': 'pushRepoId', 'push.private': 'pushPrivate',
};

const LABELS: Partial<Record<DraftField, string>> = {
  model: 'Base model', datasetPath: 'Training data', datasetFormat: 'Format', imagesDir: 'Images folder', evalPath: 'Evaluation file',
  evalRatio: 'Held-out share', outputDir: 'Output folder', method: 'Method', loraR: 'LoRA r', loraAlpha: 'LoRA alpha', loraDropout: 'LoRA dropout',
  loraTargets: 'Target modules (regex)', lr: 'Learning rate', projectorLr: 'Projector learning rate', epochs: 'Epochs', maxSteps: 'Max steps',
  perDeviceBatch: 'Per-device batch', gradAccum: 'Gradient accumulation', warmupRatio: 'Warmup ratio', scheduler: 'Scheduler',
  maxLength: 'Max length (tokens)', gradientCheckpointing: 'Gradient checkpointing', bf16: 'bf16', evalSteps: 'Eval every (steps)',
  saveSteps: 'Save every (steps)', loggingSteps: 'Log every (steps)', saveTotalLimit: 'Keep checkpoints', seed: 'Seed',
  pushRepoId: 'Repository id', pushPrivate: 'Private repository',
};

type SchemaNode = { description?: string; properties?: Record<string, SchemaNode> };

/** Labels and the schema's own descriptions for every form field that maps to a config field. */
export function fieldInfo(): Partial<Record<DraftField, FieldInfo>> {
  const out: Partial<Record<DraftField, FieldInfo>> = {};
  const from = new Map<DraftField, string>();
  for (const [path, field] of Object.entries(FIELD_OF_PATH)) {
    let node: SchemaNode | undefined = trainConfigSchema as unknown as SchemaNode;
    for (const part of path.split('.')) node = node?.properties?.[part];
    const previous = from.get(field);
    // The most specific path describes the field best ('lora.r' rather than 'lora').
    if (!node?.description || (previous !== undefined && previous.split('.').length >= path.split('.').length)) continue;
    from.set(field, path);
    out[field] = { label: LABELS[field] ?? field, help: node.description };
  }
  return out;
}

const num = (text: string): number | string | undefined => {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
};
const orNull = (text: string): number | string | null => num(text) ?? null;
const text = (value: string): string | undefined => (value.trim() === '' ? undefined : value.trim());
const compact = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The config object the draft stands for (unvalidated; empty optional fields left for the schema's defaults). */
export function rawConfigOf(d: TrainDraft): Record<string, unknown> {
  return compact({
    model: text(d.model),
    dataset: compact({
      path: text(d.datasetPath),
      format: text(d.datasetFormat) ?? 'auto',
      images_dir: text(d.imagesDir) ?? null,
      eval_path: d.evalMode === 'file' ? text(d.evalPath) ?? null : null,
      eval_ratio: d.evalMode === 'ratio' ? num(d.evalRatio) ?? 0 : 0,
    }),
    output_dir: text(d.outputDir),
    method: text(d.method),
    lora: compact({ r: num(d.loraR), alpha: num(d.loraAlpha), dropout: num(d.loraDropout), target_regex: text(d.loraTargets) }),
    lr: num(d.lr),
    projector_lr: orNull(d.projectorLr),
    epochs: d.stepsMode === 'epochs' ? num(d.epochs) : undefined,
    max_steps: d.stepsMode === 'max_steps' ? num(d.maxSteps) ?? null : null,
    per_device_batch: num(d.perDeviceBatch),
    grad_accum: num(d.gradAccum),
    warmup_ratio: num(d.warmupRatio),
    scheduler: text(d.scheduler),
    max_length: num(d.maxLength),
    gradient_checkpointing: d.gradientCheckpointing,
    eval_steps: orNull(d.evalSteps),
    save_steps: num(d.saveSteps),
    logging_steps: num(d.loggingSteps),
    save_total_limit: orNull(d.saveTotalLimit),
    seed: num(d.seed),
    bf16: d.bf16,
    push: d.pushEnabled ? { repo_id: d.pushRepoId.trim(), private: d.pushPrivate } : null,
  });
}

const PRETTY: [RegExp, string][] = [[/must be >= /, 'must be ≥ '], [/must be <= /, 'must be ≤ '], [/must be > /, 'must be > '], [/must NOT have fewer than 1 characters/, 'is required']];

/** Schema issues mapped onto form fields, plus the few rules the form adds (a chosen eval file, a max step count). */
export function draftIssues(d: TrainDraft, issues: ConfigIssue[] = validateConfig(rawConfigOf(d))): FieldIssue[] {
  const out: FieldIssue[] = issues.map((issue) => {
    let message = issue.message;
    for (const [pattern, replacement] of PRETTY) message = message.replace(pattern, replacement);
    const field = FIELD_OF_PATH[issue.field] ?? '';
    return { field, message: field ? message : `${issue.field}: ${message}` };
  });
  if (d.evalMode === 'file' && d.evalPath.trim() === '') out.push({ field: 'evalPath', message: 'choose the evaluation file, or pick another evaluation mode' });
  if (d.evalMode === 'ratio' && (num(d.evalRatio) ?? 0) === 0) out.push({ field: 'evalRatio', message: 'a held-out share above 0 (e.g. 0.05), or pick "No evaluation"' });
  if (d.stepsMode === 'max_steps' && d.maxSteps.trim() === '') out.push({ field: 'maxSteps', message: 'is required when training for a number of steps' });
  if (d.pushEnabled && d.pushRepoId.trim() === '') out.push({ field: 'pushRepoId', message: 'is required to push (namespace/name)' });
  return out;
}

const str = (value: number | null | undefined): string => (value === null || value === undefined ? '' : String(value));

/** The draft for a complete config; form-only fields (preset, budget, SLURM…) come from `base`. */
export function draftFromConfig(config: TrainConfig, base: TrainDraft): TrainDraft {
  const evalMode = config.dataset.eval_path ? 'file' : config.dataset.eval_ratio > 0 ? 'ratio' : 'none';
  return {
    ...base,
    model: config.model,
    datasetPath: config.dataset.path,
    datasetFormat: config.dataset.format,
    imagesDir: config.dataset.images_dir ?? '',
    evalMode,
    evalRatio: evalMode === 'ratio' ? String(config.dataset.eval_ratio) : base.evalRatio,
    evalPath: config.dataset.eval_path ?? '',
    outputDir: config.output_dir,
    method: config.method,
    loraR: String(config.lora.r),
    loraAlpha: String(config.lora.alpha),
    loraDropout: String(config.lora.dropout),
    loraTargets: config.lora.target_regex,
    lr: String(config.lr),
    projectorLr: str(config.projector_lr),
    stepsMode: config.max_steps !== null && config.max_steps > 0 ? 'max_steps' : 'epochs',
    epochs: String(config.epochs),
    maxSteps: config.max_steps !== null && config.max_steps > 0 ? String(config.max_steps) : base.maxSteps,
    perDeviceBatch: String(config.per_device_batch),
    gradAccum: String(config.grad_accum),
    warmupRatio: String(config.warmup_ratio),
    scheduler: config.scheduler,
    maxLength: String(config.max_length),
    gradientCheckpointing: config.gradient_checkpointing,
    bf16: config.bf16,
    evalSteps: str(config.eval_steps),
    saveSteps: String(config.save_steps),
    loggingSteps: String(config.logging_steps),
    saveTotalLimit: str(config.save_total_limit),
    seed: String(config.seed),
    pushEnabled: config.push !== null,
    pushRepoId: config.push?.repo_id ?? base.pushRepoId,
    pushPrivate: config.push?.private ?? base.pushPrivate,
  };
}

const PLACEHOLDER = '\u0000';

/** The complete config a draft means, with every default filled; throws ConfigError when it is not valid. */
export function completeDraft(d: TrainDraft): TrainConfig {
  return completeConfig(rawConfigOf(d));
}

/** The starting draft: a preset's settings over the schema's defaults, with nothing chosen yet. */
export function initialDraft(presetName: string | null, outputDir: string): TrainDraft {
  const preset = presetName ? PRESETS.find((p) => p.name === presetName) ?? null : null;
  const config = completeConfig({ model: PLACEHOLDER, dataset: { path: PLACEHOLDER }, output_dir: outputDir, method: 'lora', ...(preset?.fields ?? {}) });
  const blank: TrainDraft = {
    preset: preset?.name ?? '', model: '', datasetPath: '', datasetFormat: 'auto', imagesDir: '', evalMode: 'none', evalRatio: '0.05', evalPath: '',
    outputDir, method: 'lora', loraR: '', loraAlpha: '', loraDropout: '', loraTargets: '', lr: '', projectorLr: '', stepsMode: 'epochs',
    epochs: '1', maxSteps: '', perDeviceBatch: '', gradAccum: '', warmupRatio: '', scheduler: 'cosine', maxLength: '', gradientCheckpointing: true,
    bf16: true, evalSteps: '', saveSteps: '', loggingSteps: '', saveTotalLimit: '', seed: '', pushEnabled: false, pushRepoId: '', pushPrivate: true,
    dropBadRows: false, budgetGb: '24', slurmNodes: '1', slurmGpusPerNode: '1', slurmPartition: '', slurmTime: '',
  };
  return { ...draftFromConfig(config, blank), model: '', datasetPath: '' };
}

/**
 * A preset's settings applied over the draft: what the preset names replaces, the rest (model, data,
 * output, push, evaluation, schedule length when the preset leaves it) stays.
 */
export function applyPreset(d: TrainDraft, name: string): TrainDraft {
  const preset = findPreset(name);
  const f = preset.fields;
  const set = (value: number | null | undefined, fallback: string): string => (value === undefined ? fallback : str(value));
  return {
    ...d,
    preset: preset.name,
    method: f.method ?? d.method,
    loraR: f.lora ? String(f.lora.r) : d.loraR,
    loraAlpha: f.lora ? String(f.lora.alpha) : d.loraAlpha,
    loraDropout: f.lora ? String(f.lora.dropout) : d.loraDropout,
    loraTargets: f.lora ? f.lora.target_regex : d.loraTargets,
    lr: set(f.lr, d.lr),
    projectorLr: set(f.projector_lr, d.projectorLr),
    epochs: set(f.epochs, d.epochs),
    ...(f.max_steps === null ? { stepsMode: 'epochs' as const } : {}),
    perDeviceBatch: set(f.per_device_batch, d.perDeviceBatch),
    gradAccum: set(f.grad_accum, d.gradAccum),
    warmupRatio: set(f.warmup_ratio, d.warmupRatio),
    scheduler: f.scheduler ?? d.scheduler,
    maxLength: set(f.max_length, d.maxLength),
    gradientCheckpointing: f.gradient_checkpointing ?? d.gradientCheckpointing,
    bf16: f.bf16 ?? d.bf16,
    loggingSteps: set(f.logging_steps, d.loggingSteps),
  };
}

/** A "settings that would fit" suggestion applied to the draft. */
export function applySuggestion(d: TrainDraft, changes: FitSuggestion['changes']): TrainDraft {
  return {
    ...d,
    ...(changes.gradient_checkpointing !== undefined ? { gradientCheckpointing: changes.gradient_checkpointing } : {}),
    ...(changes.per_device_batch !== undefined ? { perDeviceBatch: String(changes.per_device_batch) } : {}),
    ...(changes.grad_accum !== undefined ? { gradAccum: String(changes.grad_accum) } : {}),
    ...(changes.method !== undefined ? { method: changes.method } : {}),
  };
}

/** A run folder name from the model and method: `llava-1.5-7b-hf-lora-0612-1530`. */
export function runFolderName(model: string, method: string, now: Date): string {
  const stem = basename(model.replace(/[\\/]+$/, '')).replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'finetune';
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${stem}-${method || 'lora'}-${two(now.getMonth() + 1)}${two(now.getDate())}-${two(now.getHours())}${two(now.getMinutes())}`;
}
