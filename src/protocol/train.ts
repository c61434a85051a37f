/**
 * Messages between the Fine-tune webview and the host. The webview edits a flat draft of strings and
 * booleans (what a person typed, even half-typed); the host turns it into a TrainConfig, validates it
 * against the one JSON schema and answers with issues keyed by draft field.
 */
import { is, MessageError, type Check, type NotifyEnvelope, type ReplyEnvelope, type RequestEnvelope } from './envelope';

export const EVAL_MODES = ['none', 'ratio', 'file'] as const;
export const STEPS_MODES = ['epochs', 'max_steps'] as const;
export type EvalMode = (typeof EVAL_MODES)[number];
export type StepsMode = (typeof STEPS_MODES)[number];

/** The form's model: one field per input, numbers as typed. `projectorLr` '' = the method's default. */
export interface TrainDraft {
  preset: string;
  model: string;
  datasetPath: string;
  datasetFormat: string;
  imagesDir: string;
  evalMode: EvalMode;
  evalRatio: string;
  evalPath: string;
  outputDir: string;
  method: string;
  loraR: string;
  loraAlpha: string;
  loraDropout: string;
  loraTargets: string;
  lr: string;
  projectorLr: string;
  stepsMode: StepsMode;
  epochs: string;
  maxSteps: string;
  perDeviceBatch: string;
  gradAccum: string;
  warmupRatio: string;
  scheduler: string;
  maxLength: string;
  gradientCheckpointing: boolean;
  bf16: boolean;
  evalSteps: string;
  saveSteps: string;
  loggingSteps: string;
  saveTotalLimit: string;
  seed: string;
  pushEnabled: boolean;
  pushRepoId: string;
  pushPrivate: boolean;
  /** Launch although the dataset check found problems (the worker leaves those rows out and counts them). */
  dropBadRows: boolean;
  /** GPU memory to compare the estimate with when the probe sees no GPU (GB). */
  budgetGb: string;
  slurmNodes: string;
  slurmGpusPerNode: string;
  slurmPartition: string;
  slurmTime: string;
}

export type DraftField = keyof TrainDraft;

export const BOOLEAN_FIELDS = ['gradientCheckpointing', 'bf16', 'pushEnabled', 'pushPrivate', 'dropBadRows'] as const satisfies readonly DraftField[];
const ENUM_FIELDS: Partial<Record<DraftField, readonly string[]>> = { evalMode: EVAL_MODES, stepsMode: STEPS_MODES };

/** A problem with one field of the draft ('' = the config as a whole). */
export interface FieldIssue {
  field: DraftField | '';
  message: string;
}

export interface FieldInfo {
  label: string;
  /** The schema's description (the same text the JSON editor shows for *.train.json). */
  help: string;
}

export interface PresetInfo {
  name: string;
  title: string;
  description: string;
}

export interface ModelHitView {
  id: string;
  params: number | null;
  downloads: number | null;
  gated: boolean;
}

export interface ModelSearchView {
  offline: boolean;
  message: string | null;
  models: ModelHitView[];
}

export interface PythonView {
  path: string;
  source: 'python-extension' | 'setting' | 'default';
}

export type ProbeView =
  | { state: 'running'; python: PythonView }
  | {
    state: 'done';
    python: PythonView;
    /** The probe ran; false = the interpreter could not even be asked. */
    ok: boolean;
    version: string | null;
    executable: string;
    packages: [string, string | null][];
    cuda: string | null;
    gpus: { name: string; totalGb: number; freeGb: number }[];
    /** Exact fix-its (the pip install line). */
    hints: string[];
    /** The hints that stop training from starting with this method. */
    blockers: string[];
    /** What the worker itself would print if launched now (its missing-package line), when it would stop at once. */
    workerMessage: string | null;
  };

export interface DatasetProblemView {
  row: number;
  line: number | null;
  code: string;
  message: string;
}

export type DatasetView =
  | { state: 'idle'; message: string }
  | { state: 'running'; path: string; rowsChecked: number }
  | { state: 'error'; path: string; message: string }
  | {
    state: 'done';
    path: string;
    format: string;
    rows: number;
    images: number;
    rowsOk: number;
    rowsWithProblems: number;
    counts: [string, number][];
    problems: DatasetProblemView[];
    tokenBasis: string;
    maxLength: number;
    evalRows: number | null;
  };

export const VRAM_PARTS = ['weights', 'lora', 'optimizer', 'gradients', 'activations', 'overhead'] as const;
export type VramPart = (typeof VRAM_PARTS)[number];

export interface SuggestionView {
  description: string[];
  totalGb: number;
}

export type EstimateView =
  | { state: 'idle'; message: string }
  | { state: 'running'; message: string }
  | { state: 'error'; message: string }
  | {
    state: 'done';
    totalGb: number;
    parts: Record<VramPart, number>;
    budgetGb: number;
    /** `gpu`: the smallest free memory the probe saw; `entered`: the form's budget (no GPU visible). */
    budgetSource: 'gpu' | 'entered';
    gpuName: string | null;
    fits: boolean;
    params: { total: number; trainable: number };
    notes: string[];
    suggestions: SuggestionView[];
  };

export interface LaunchView {
  state: 'idle' | 'launching' | 'launched' | 'error';
  message: string;
  runDir: string | null;
}

export interface TrainEnvironment {
  trusted: boolean;
  /** `sbatch` is on PATH: the form offers Launch on SLURM. */
  sbatch: boolean;
}

export interface TrainInit {
  draft: TrainDraft;
  fields: Partial<Record<DraftField, FieldInfo>>;
  presets: PresetInfo[];
  options: { methods: string[]; schedulers: string[]; formats: string[] };
  env: TrainEnvironment;
}

/** What the panel keeps across reloads (setState + serializer). */
export interface TrainViewState {
  draft: TrainDraft;
  closedSections: string[];
}

export type PickTarget = 'modelFolder' | 'datasetFile' | 'datasetFolder' | 'evalFile' | 'imagesDir' | 'outputDir';
export type RunAction = 'scalars' | 'log' | 'stop';

export interface TrainResults {
  searchModels: ModelSearchView;
  pick: { path: string | null };
  applyPreset: null;
  applySuggestion: null;
  saveConfig: { path: string | null };
  loadConfig: { path: string | null };
  copyCommand: { text: string | null };
  launch: { runDir: string | null };
}

/** Host → webview. */
export type TrainHostMessage =
  | NotifyEnvelope<'init', TrainInit>
  /** The host replaced the draft (preset, loaded config, suggestion, picked path). */
  | NotifyEnvelope<'draft', { draft: TrainDraft }>
  | NotifyEnvelope<'issues', { issues: FieldIssue[] }>
  | NotifyEnvelope<'probe', ProbeView>
  | NotifyEnvelope<'dataset', DatasetView>
  | NotifyEnvelope<'estimate', EstimateView>
  | NotifyEnvelope<'launch', LaunchView>
  | NotifyEnvelope<'env', TrainEnvironment>
  | ReplyEnvelope<TrainResults[keyof TrainResults]>;

/** Webview → host. */
export type TrainWebviewMessage =
  | NotifyEnvelope<'ready', Record<string, never>>
  | NotifyEnvelope<'draft', { draft: TrainDraft }>
  | NotifyEnvelope<'reprobe', Record<string, never>>
  | NotifyEnvelope<'runAction', { action: RunAction }>
  | RequestEnvelope<'searchModels', { query: string }>
  | RequestEnvelope<'pick', { target: PickTarget }>
  | RequestEnvelope<'applyPreset', { name: string }>
  | RequestEnvelope<'applySuggestion', { index: number }>
  | RequestEnvelope<'saveConfig', Record<string, never>>
  | RequestEnvelope<'loadConfig', Record<string, never>>
  | RequestEnvelope<'copyCommand', { kind: 'cli' | 'python' }>
  | RequestEnvelope<'launch', { target: 'local' | 'slurm' }>;

const DRAFT_TEXT_MAX = 4096;

/** Every draft field, in form order. */
export const DRAFT_FIELDS: readonly DraftField[] = [
  'preset', 'model', 'datasetPath', 'datasetFormat', 'imagesDir', 'evalMode', 'evalRatio', 'evalPath', 'outputDir', 'method',
  'loraR', 'loraAlpha', 'loraDropout', 'loraTargets', 'lr', 'projectorLr', 'stepsMode', 'epochs', 'maxSteps', 'perDeviceBatch',
  'gradAccum', 'warmupRatio', 'scheduler', 'maxLength', 'gradientCheckpointing', 'bf16', 'evalSteps', 'saveSteps', 'loggingSteps',
  'saveTotalLimit', 'seed', 'pushEnabled', 'pushRepoId', 'pushPrivate', 'dropBadRows', 'budgetGb', 'slurmNodes', 'slurmGpusPerNode',
  'slurmPartition', 'slurmTime',
];
const draftShape: Record<string, Check> = {};
for (const key of DRAFT_FIELDS) {
  const choices = ENUM_FIELDS[key];
  draftShape[key] = (BOOLEAN_FIELDS as readonly string[]).includes(key) ? is.boolean : choices ? is.literal(...choices) : is.maxLength(DRAFT_TEXT_MAX);
}
const draft: Check = is.object(draftShape);

const empty = is.object({});
const notify = (type: string, payload: Check): Check => is.object({ kind: is.literal('notify'), type: is.literal(type), payload });
const request = (method: string, params: Check): Check => is.object({ kind: is.literal('request'), id: is.integer, method: is.literal(method), params });

const viewState: Check = is.object({ draft, closedSections: is.array(is.maxLength(100), 50) });

const checks: Record<string, Check> = {
  'notify:ready': notify('ready', empty),
  'notify:draft': notify('draft', is.object({ draft })),
  'notify:reprobe': notify('reprobe', empty),
  'notify:runAction': notify('runAction', is.object({ action: is.literal('scalars', 'log', 'stop') })),
  'request:searchModels': request('searchModels', is.object({ query: is.maxLength(200) })),
  'request:pick': request('pick', is.object({ target: is.literal('modelFolder', 'datasetFile', 'datasetFolder', 'evalFile', 'imagesDir', 'outputDir') })),
  'request:applyPreset': request('applyPreset', is.object({ name: is.maxLength(100) })),
  'request:applySuggestion': request('applySuggestion', is.object({
    index: (v, p) => { is.integer(v, p); if ((v as number) < 0 || (v as number) > 20) throw new MessageError(p, `expected 0..20, got ${String(v)}`); },
  })),
  'request:saveConfig': request('saveConfig', empty),
  'request:loadConfig': request('loadConfig', empty),
  'request:copyCommand': request('copyCommand', is.object({ kind: is.literal('cli', 'python') })),
  'request:launch': request('launch', is.object({ target: is.literal('local', 'slurm') })),
};

/** Validates an inbound message from the Fine-tune webview; throws naming the bad field. */
export function parseTrainWebviewMessage(message: unknown): TrainWebviewMessage {
  if (typeof message !== 'object' || message === null) throw new Error('invalid message: not an object');
  const m = message as { kind?: unknown; type?: unknown; method?: unknown };
  const key = `${String(m.kind)}:${String(m.kind === 'request' ? m.method : m.type)}`;
  const check = checks[key];
  if (!check) throw new Error(`invalid message: unknown ${key}`);
  check(message, 'message');
  return message as TrainWebviewMessage;
}

export function isTrainDraft(value: unknown): value is TrainDraft {
  try { draft(value, 'draft'); return true; } catch { return false; }
}

export function isTrainViewState(value: unknown): value is TrainViewState {
  try { viewState(value, 'state'); return true; } catch { return false; }
}
