/**
 * The Fine-tune panel's host side: owns the draft, validates it against the schema on every change,
 * runs the environment probe, the dataset check and the VRAM estimate (debounced, the stale ones
 * cancelled), and turns the form's buttons into saves, loads, copies and launches. Everything that
 * touches VS Code comes in through `TrainControllerDeps`, so the browser harness runs this as is.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, readConfigFile, resolveConfigPaths } from '../../core/training/config';
import type { ModelSearchResult } from '../../core/hub/search';
import { localPlan } from '../../core/training/launchPlan';
import { PRESETS } from '../../core/training/presets';
import { trainConfigSchema } from '../../core/training/schema';
import type { SlurmPlan } from '../../core/training/slurm';
import type { LaunchRequest } from '../../core/training/supervisorTypes';
import { MessageError } from '../../protocol/envelope';
import {
  parseTrainWebviewMessage, type PickTarget, type RunAction, type TrainDraft, type TrainHostMessage, type TrainResults, type TrainWebviewMessage,
} from '../../protocol/train';
import { applyPreset, applySuggestion, completeDraft, draftFromConfig, draftIssues, fieldInfo, runFolderName } from './formModel';
import { cliCommandText, configFileText, pythonCommandText, prepareLaunch } from './launchRequest';
import { PreflightRunner, type PreflightDeps } from './preflightRunner';

export interface TrainControllerDeps extends PreflightDeps {
  searchModels(query: string): Promise<ModelSearchResult>;
  pick(target: PickTarget, current: string): Promise<string | undefined>;
  chooseSaveFile(suggested: string): Promise<string | undefined>;
  chooseConfigFile(): Promise<string | undefined>;
  writeFile(path: string, text: string): Promise<void>;
  copyText(text: string): Promise<void>;
  trusted(): boolean;
  sbatchAvailable(): boolean;
  /** The Hugging Face token from secret storage (only asked for when the config pushes). */
  hfToken(): Promise<string | undefined>;
  /** Shows the sbatch script for review; true = submit it. */
  reviewSlurmScript(plan: SlurmPlan): Promise<boolean>;
  launch(request: LaunchRequest): Promise<void>;
  runAction(action: RunAction, runDir: string): void;
  /** A notice the person should see outside the form (a missing token, a copied command). */
  inform(message: string): void;
  now?(): Date;
}

export class TrainController {
  private readonly preflight: PreflightRunner;
  private autoOutputDir: string;
  private configFile: string | null = null;
  private runDir: string | null = null;

  constructor(private draft: TrainDraft, private readonly deps: TrainControllerDeps, private readonly post: (message: TrainHostMessage) => void) {
    this.autoOutputDir = draft.outputDir;
    this.preflight = new PreflightRunner(deps, () => this.draft, post);
  }

  /** The settings or the trust changed: re-run the probe and tell the form. */
  refreshEnvironment(): void {
    this.post({ kind: 'notify', type: 'env', payload: { trusted: this.deps.trusted(), sbatch: this.deps.sbatchAvailable() } });
    void this.preflight.runProbe();
  }

  /** Shows another draft (a failed run's config to retry with other settings). */
  replaceDraft(draft: TrainDraft): void {
    this.autoOutputDir = draft.outputDir;
    this.setDraft(draft, true);
  }

  /** The draft now (for the serializer and tests). */
  current(): TrainDraft {
    return this.draft;
  }

  async handleMessage(raw: unknown): Promise<void> {
    let message: TrainWebviewMessage;
    try {
      message = parseTrainWebviewMessage(raw);
    } catch (error) {
      this.deps.log(`fine-tune panel: ${(error as Error).message}`);
      const id = (raw as { kind?: unknown; id?: unknown } | null)?.kind === 'request' ? (raw as { id: unknown }).id : undefined;
      if (Number.isSafeInteger(id) && error instanceof MessageError) this.post({ kind: 'reply', id: id as number, error: error.message });
      return;
    }
    if (message.kind === 'notify') {
      switch (message.type) {
        case 'ready': return this.start();
        case 'draft': return this.setDraft(message.payload.draft, false);
        case 'reprobe': return void this.preflight.runProbe();
        case 'runAction': if (this.runDir) this.deps.runAction(message.payload.action, this.runDir); return;
      }
    }
    const { id } = message;
    try {
      const result = await this.request(message);
      this.post({ kind: 'reply', id, result });
    } catch (error) {
      this.post({ kind: 'reply', id, error: error instanceof ConfigError ? error.issues.map((i) => `${i.field}: ${i.message}`).join('; ') : (error as Error).message });
    }
  }

  dispose(): void {
    this.preflight.dispose();
  }

  private async request(message: Extract<TrainWebviewMessage, { kind: 'request' }>): Promise<TrainResults[keyof TrainResults]> {
    switch (message.method) {
      case 'searchModels': {
        const found = await this.deps.searchModels(message.params.query);
        return { offline: found.offline, message: found.message, models: found.models.map((m) => ({ id: m.id, params: m.params, downloads: m.downloads, gated: m.gated })) };
      }
      case 'pick': return { path: await this.pick(message.params.target) };
      case 'applyPreset':
        this.setDraft(applyPreset(this.draft, message.params.name), true);
        return null;
      case 'applySuggestion': {
        const suggestion = this.preflight.suggestions[message.params.index];
        if (!suggestion) throw new Error(`no suggestion ${message.params.index}: the estimate changed, look again`);
        this.setDraft(applySuggestion(this.draft, suggestion.changes), true);
        return null;
      }
      case 'saveConfig': return { path: await this.saveConfig() };
      case 'loadConfig': return { path: await this.loadConfig() };
      case 'copyCommand': return { text: await this.copyCommand(message.params.kind) };
      case 'launch': return { runDir: await this.launch(message.params.target) };
    }
  }

  private start(): void {
    this.post({
      kind: 'notify', type: 'init', payload: {
        draft: this.draft, fields: fieldInfo(), presets: PRESETS.map((p) => ({ name: p.name, title: p.title, description: p.description })),
        options: {
          methods: [...trainConfigSchema.properties.method.enum], schedulers: [...trainConfigSchema.properties.scheduler.enum],
          formats: [...trainConfigSchema.properties.dataset.properties.format.enum],
        },
        env: { trusted: this.deps.trusted(), sbatch: this.deps.sbatchAvailable() },
      },
    });
    this.postIssues();
    this.preflight.startAll();
  }

  private setDraft(next: TrainDraft, echo: boolean): void {
    const before = this.draft;
    // The output folder follows the model and method until someone types their own.
    if (next.outputDir === this.autoOutputDir && (next.model !== before.model || next.method !== before.method) && next.model.trim()) {
      this.autoOutputDir = `runs/${runFolderName(next.model.trim(), next.method, this.deps.now?.() ?? new Date())}`;
      next = { ...next, outputDir: this.autoOutputDir };
      echo = true;
    }
    this.draft = next;
    if (echo) this.post({ kind: 'notify', type: 'draft', payload: { draft: next } });
    this.postIssues();
    this.preflight.draftChanged(before, next);
  }

  private postIssues(): void {
    this.post({ kind: 'notify', type: 'issues', payload: { issues: draftIssues(this.draft) } });
  }

  private abs(path: string): string {
    return resolve(this.deps.baseDir(), path.trim());
  }

  private async pick(target: PickTarget): Promise<string | null> {
    const field = ({ modelFolder: 'model', datasetFile: 'datasetPath', datasetFolder: 'datasetPath', evalFile: 'evalPath', imagesDir: 'imagesDir', outputDir: 'outputDir' } as const)[target];
    const path = await this.deps.pick(target, this.draft[field].trim() ? this.abs(this.draft[field]) : this.deps.baseDir());
    if (!path) return null;
    this.setDraft({ ...this.draft, [field]: path, ...(target === 'evalFile' ? { evalMode: 'file' as const } : {}) }, true);
    return path;
  }

  private async saveConfig(): Promise<string | null> {
    const config = completeDraft(this.draft);
    const resolved = resolveConfigPaths(config, this.deps.baseDir(), existsSync);
    const suggested = this.configFile ?? resolve(this.deps.baseDir(), `${resolved.output_dir.split(/[\\/]/).pop() ?? 'finetune'}.train.json`);
    let file = await this.deps.chooseSaveFile(suggested);
    if (!file) return null;
    if (!file.endsWith('.train.json')) file = `${file.replace(/\.json$/, '')}.train.json`;
    await this.deps.writeFile(file, configFileText(resolved, file, existsSync));
    this.configFile = file;
    return file;
  }

  private async loadConfig(): Promise<string | null> {
    const file = await this.deps.chooseConfigFile();
    if (!file) return null;
    const config = await readConfigFile(file);
    this.configFile = file;
    this.setDraft(draftFromConfig(config, this.draft), true);
    return file;
  }

  private async copyCommand(kind: 'cli' | 'python'): Promise<string | null> {
    completeDraft(this.draft); // throws ConfigError naming the fields when the form is not valid yet
    let text: string;
    if (kind === 'cli') {
      const file = this.configFile ?? await this.saveConfig();
      if (!file) return null;
      text = cliCommandText(file);
    } else {
      const config = resolveConfigPaths(completeDraft(this.draft), this.deps.baseDir(), existsSync);
      const { probe, python: chosen } = this.preflight;
      const python = probe?.ok ? probe.executable : chosen?.path ?? 'python3';
      text = pythonCommandText(localPlan({ python, nativeBin: this.deps.nativeBin, runDir: config.output_dir }), config.push);
    }
    await this.deps.copyText(text);
    return text;
  }

  private launchInputs(target: 'local' | 'slurm', python: string) {
    return {
      draft: this.draft, target, baseDir: this.deps.baseDir(), nativeBin: this.deps.nativeBin, python,
      probe: this.preflight.probe, dataset: this.preflight.dataset, trusted: this.deps.trusted(), exists: existsSync,
    };
  }

  private async launch(target: 'local' | 'slurm'): Promise<string | null> {
    const say = (state: 'launching' | 'launched' | 'error' | 'idle', message: string, runDir: string | null = null): void =>
      this.post({ kind: 'notify', type: 'launch', payload: { state, message, runDir } });
    await this.preflight.settled(); // a check still running decides the launch
    // The interpreter as the settings say now (a SLURM job uses it as is; a local run uses the probed one).
    const prepared = prepareLaunch(this.launchInputs(target, (await this.deps.python()).path));
    if ('error' in prepared) {
      say('error', prepared.error);
      return null;
    }
    const { config, plan } = prepared;
    if (plan.kind === 'slurm' && !(await this.deps.reviewSlurmScript(plan))) {
      say('idle', 'SLURM submission cancelled.');
      return null;
    }
    // LLaVA Studio pushes final/ itself once the run has finished; the worker never sees the token.
    if (config.push && !(await this.deps.hfToken())) {
      this.deps.inform(`No Hugging Face token is set: the run trains, and LLaVA Studio pushes it to ${config.push.repo_id} when it finishes only if a token is set by then (LLaVA Studio: Set Hugging Face Token).`);
    }
    say('launching', `Starting ${plan.runDir}…`, plan.runDir);
    try {
      await this.deps.launch({ config, plan, gpus: this.preflight.probe?.gpus ?? [] });
    } catch (error) {
      say('error', (error as Error).message, plan.runDir);
      return null;
    }
    this.runDir = plan.runDir;
    say('launched', plan.kind === 'slurm' ? `Submitted to SLURM: ${plan.runDir}` : `Training in ${plan.runDir}`, plan.runDir);
    return plan.runDir;
  }

}
