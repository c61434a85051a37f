/**
 * Runs the form's three checks as the draft changes: the environment probe (once per interpreter; the
 * hints follow the method without asking Python again), the dataset check (debounced, the stale one
 * aborted) and the VRAM estimate (debounced; a model's config.json is read once). Each result goes
 * to the webview as soon as it is known; the latest ones decide a launch.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveConfigPaths } from '../../core/training/config';
import type { FitSuggestion } from '../../core/training/fit';
import type { ModelArchitecture } from '../../core/training/modelArch';
import type { EnvironmentProbe } from '../../core/training/probe';
import { trainConfigSchema, type TrainMethod } from '../../core/training/schema';
import type { DatasetView, EstimateView, PythonView, TrainDraft, TrainHostMessage } from '../../protocol/train';
import { completeDraft } from './formModel';
import { estimateFor, probeViewOf, tokenizerFolder, type DatasetCheck } from './preflight';

export interface PreflightDeps {
  nativeBin: string;
  baseDir(): string;
  python(): Promise<PythonView>;
  probe(python: string, method: TrainMethod): Promise<EnvironmentProbe>;
  architecture(model: string, baseDir: string): Promise<ModelArchitecture>;
  checkDataset(check: DatasetCheck): Promise<DatasetView>;
  log(message: string): void;
}

const DATASET_KEYS: (keyof TrainDraft)[] = ['datasetPath', 'imagesDir', 'evalMode', 'evalPath', 'evalRatio', 'maxLength', 'model'];
const ESTIMATE_KEYS: (keyof TrainDraft)[] = ['model', 'method', 'loraR', 'loraAlpha', 'loraDropout', 'loraTargets', 'perDeviceBatch', 'gradAccum', 'maxLength', 'gradientCheckpointing', 'budgetGb'];
const IDLE_DATASET: DatasetView = { state: 'idle', message: 'Choose the training data to check it.' };

export class PreflightRunner {
  probe: EnvironmentProbe | null = null;
  python: PythonView | null = null;
  dataset: DatasetView = IDLE_DATASET;
  /** The estimate's "settings that would fit", in the order the form lists them. */
  suggestions: FitSuggestion[] = [];
  private probing: Promise<void> | null = null;
  private datasetRun: { abort: AbortController; done: Promise<void> } | null = null;
  private readonly archCache = new Map<string, Promise<ModelArchitecture>>();
  private timers: { dataset?: NodeJS.Timeout; estimate?: NodeJS.Timeout } = {};
  private estimateSeq = 0;
  private disposed = false;

  constructor(private readonly deps: PreflightDeps, private readonly draft: () => TrainDraft, private readonly post: (message: TrainHostMessage) => void) {}

  /** Everything from scratch (the panel opened or reloaded). */
  startAll(): void {
    this.post({ kind: 'notify', type: 'dataset', payload: this.dataset });
    void this.runProbe();
    this.scheduleDataset(0);
    this.scheduleEstimate(0);
  }

  /** The draft changed from `before`: re-run what depends on the changed fields. */
  draftChanged(before: TrainDraft, next: TrainDraft): void {
    const changed = (keys: (keyof TrainDraft)[]): boolean => keys.some((k) => before[k] !== next[k]);
    if (changed(DATASET_KEYS)) this.scheduleDataset(500);
    if (changed(ESTIMATE_KEYS)) this.scheduleEstimate(250);
    if (before.method !== next.method) this.postProbe();
  }

  /** Resolves when the checks under way have answered (a launch waits for them). */
  async settled(): Promise<void> {
    await this.probing;
    await this.datasetRun?.done;
  }

  runProbe(): Promise<void> {
    const run = async (): Promise<void> => {
      this.python = await this.deps.python();
      this.post({ kind: 'notify', type: 'probe', payload: { state: 'running', python: this.python } });
      this.probe = await this.deps.probe(this.python.path, this.method());
      if (this.disposed) return;
      this.postProbe();
      this.scheduleEstimate(0); // the GPU's free memory is the budget
    };
    this.probing = (this.probing ?? Promise.resolve()).then(run, run).catch((error: unknown) => this.deps.log(`probe: ${(error as Error).message}`));
    return this.probing;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timers.dataset);
    clearTimeout(this.timers.estimate);
    this.datasetRun?.abort.abort();
  }

  private method(): TrainMethod {
    return (['lora', 'qlora', 'projector'] as const).find((m) => m === this.draft().method) ?? 'lora';
  }

  private postProbe(): void {
    if (!this.probe || !this.python || this.disposed) return;
    this.post({ kind: 'notify', type: 'probe', payload: probeViewOf(this.probe, this.python, this.deps.nativeBin, this.method()) });
  }

  private abs(path: string): string {
    return resolve(this.deps.baseDir(), path.trim());
  }

  private datasetCheck(): DatasetCheck | null {
    const d = this.draft();
    if (!d.datasetPath.trim()) return null;
    const model = d.model.trim() ? this.abs(d.model) : '';
    const maxLength = Number(d.maxLength);
    return {
      path: this.abs(d.datasetPath),
      imagesDir: d.imagesDir.trim() ? this.abs(d.imagesDir) : null,
      evalPath: d.evalMode === 'file' && d.evalPath.trim() ? this.abs(d.evalPath) : null,
      evalRatio: d.evalMode === 'ratio' ? Number(d.evalRatio) || 0 : 0,
      maxLength: Number.isInteger(maxLength) && maxLength > 0 ? maxLength : Number(trainConfigSchema.properties.max_length.default),
      modelDir: model && existsSync(model) ? tokenizerFolder(model) : null,
    };
  }

  private scheduleDataset(delayMs: number): void {
    clearTimeout(this.timers.dataset);
    this.datasetRun?.abort.abort();
    const check = this.datasetCheck();
    // A launch in the meantime waits for this one, not for a check that no longer applies.
    let start!: () => void;
    const started = new Promise<void>((ok) => { start = ok; });
    const abort = new AbortController();
    this.datasetRun = { abort, done: started.then(() => this.runDatasetCheck(check, abort)) };
    this.timers.dataset = setTimeout(start, delayMs);
    abort.signal.addEventListener('abort', () => start());
  }

  private async runDatasetCheck(check: DatasetCheck | null, abort: AbortController): Promise<void> {
    if (abort.signal.aborted) return;
    if (!check) return this.setDataset(IDLE_DATASET);
    let lastPost = 0;
    this.setDataset({ state: 'running', path: check.path, rowsChecked: 0 });
    try {
      const view = await this.deps.checkDataset({
        ...check, signal: abort.signal,
        onProgress: (p) => {
          if (Date.now() - lastPost < 250 || abort.signal.aborted) return;
          lastPost = Date.now();
          this.setDataset({ state: 'running', path: check.path, rowsChecked: p.rowsChecked });
        },
      });
      if (!abort.signal.aborted) this.setDataset(view);
    } catch (error) {
      if (!abort.signal.aborted) this.setDataset({ state: 'error', path: check.path, message: (error as Error).message });
    }
  }

  private setDataset(view: DatasetView): void {
    this.dataset = view;
    if (!this.disposed) this.post({ kind: 'notify', type: 'dataset', payload: view });
  }

  private scheduleEstimate(delayMs: number): void {
    clearTimeout(this.timers.estimate);
    this.timers.estimate = setTimeout(() => void this.runEstimate(), delayMs);
  }

  private async runEstimate(): Promise<void> {
    const seq = ++this.estimateSeq;
    const post = (view: EstimateView, suggestions: FitSuggestion[] = []): void => {
      if (seq !== this.estimateSeq || this.disposed) return;
      this.suggestions = suggestions;
      this.post({ kind: 'notify', type: 'estimate', payload: view });
    };
    const draft = this.draft();
    const model = draft.model.trim();
    if (!model) return post({ state: 'idle', message: 'Choose a base model to estimate GPU memory.' });
    let config;
    try {
      config = completeDraft({ ...draft, datasetPath: draft.datasetPath || 'data', outputDir: draft.outputDir || 'run' });
    } catch {
      return post({ state: 'idle', message: 'Fix the highlighted fields to see the estimate.' });
    }
    post({ state: 'running', message: `Reading the config.json of ${model}…` });
    const base = this.deps.baseDir();
    let arch: ModelArchitecture;
    try {
      const key = resolveConfigPaths(config, base, existsSync).model;
      if (!this.archCache.has(key)) this.archCache.set(key, this.deps.architecture(model, base));
      arch = await this.archCache.get(key)!.catch((error: unknown) => {
        this.archCache.delete(key); // offline now, downloaded later: ask again next time
        throw error;
      });
    } catch (error) {
      return post({ state: 'error', message: `no estimate: ${(error as Error).message}` });
    }
    const entered = Number(draft.budgetGb);
    const result = estimateFor(arch, config, this.probe, Number.isFinite(entered) && entered > 0 ? entered : null);
    post(result.view, result.suggestions);
  }
}
