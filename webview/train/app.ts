import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import {
  isTrainViewState, type DatasetView, type DraftField, type EstimateView, type FieldIssue, type LaunchView, type PresetInfo, type ProbeView,
  type PickTarget, type TrainDraft, type TrainEnvironment, type TrainHostMessage, type TrainInit, type TrainResults, type TrainWebviewMessage,
} from '../../src/protocol/train';
import { h } from '../common/dom';
import { MessageClient } from '../common/messageClient';
import { StateCache } from '../common/stateCache';
import { vscodeApi } from '../common/vscodeApi';
import { button, FormFields } from './fields';
import { buildForm, type FormView } from './formView';
import { renderLaunch } from './launchView';
import { ModelPicker } from './modelPicker';
import { renderDataset, renderEstimate, renderProbe } from './preflightViews';

type Client = MessageClient<TrainHostMessage, TrainWebviewMessage, TrainResults>;
type Notify = Extract<TrainHostMessage, { kind: 'notify' }>;
type BoxKey = 'probe' | 'dataset' | 'estimate' | 'launch';

/** What to search the Hub for: the model field, unless it holds a local path (then: the most downloaded). */
const hubQuery = (model: string): string => (/^([./~]|[A-Za-z]:\\)|\\/.test(model.trim()) ? '' : model.trim());

/** The Fine-tune panel: the config form on the left, the checks and the launch on the right. */
export class TrainApp {
  private draft: TrainDraft | null = null;
  private env: TrainEnvironment = { trusted: true, sbatch: false };
  private closed: string[] = [];
  private issues: FieldIssue[] = [];
  private views: { probe: ProbeView | null; dataset: DatasetView; estimate: EstimateView; launch: LaunchView } = {
    probe: null, dataset: { state: 'idle', message: 'Choose the training data to check it.' }, estimate: { state: 'idle', message: 'Choose a base model to estimate GPU memory.' },
    launch: { state: 'idle', message: '', runDir: null },
  };
  private readonly client: Client = new MessageClient(vscodeApi(), (m) => this.onMessage(m));
  private readonly cache = new StateCache(vscodeApi(), isTrainViewState);
  private readonly fields = new FormFields((field, value) => this.edit(field, value));
  private readonly picker = new ModelPicker((query) => this.client.request('searchModels', { query }, 30_000), (id) => this.setField('model', id), () => this.pick('modelFolder'));
  private readonly presetSelect = h('vscode-single-select', { 'aria-label': 'Preset', class: 'preset' }) as VscodeSingleSelect;
  private readonly presetNote = h('div', { class: 'muted small preset-note' });
  private readonly notice = h('div', { class: 'notice', role: 'status', 'aria-live': 'polite' });
  private readonly boxes: Record<BoxKey, HTMLElement> = { probe: h('section', { class: 'box', 'aria-label': 'Environment' }), dataset: h('section', { class: 'box', 'aria-label': 'Dataset check' }), estimate: h('section', { class: 'box', 'aria-label': 'GPU memory' }), launch: h('section', { class: 'box launch', 'aria-label': 'Launch' }) };
  private form: FormView | null = null;
  private presets: PresetInfo[] = [];
  private dropBadRows: HTMLElement | null = null;
  private budget: HTMLElement | null = null;
  private sendTimer: ReturnType<typeof setTimeout> | undefined;
  /** The draft as the host last heard it: a draft from the host only overrides fields the host itself changed. */
  private lastSent: TrainDraft | null = null;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly root: HTMLElement) {
    root.append(h('div', { class: 'loading muted' }, 'Loading the Fine-tune form…'));
  }

  start(): void {
    this.client.connect();
  }

  private onMessage(message: Notify): void {
    switch (message.type) {
      case 'init': return this.init(message.payload);
      case 'draft': return this.showDraft(this.merge(message.payload.draft));
      case 'issues':
        this.issues = message.payload.issues;
        return this.renderIssues();
      case 'probe': this.views.probe = message.payload; return this.renderSide('probe');
      case 'dataset': this.views.dataset = message.payload; return this.renderSide('dataset');
      case 'estimate': this.views.estimate = message.payload; return this.renderSide('estimate');
      case 'launch': this.views.launch = message.payload; return this.renderSide('launch');
      case 'env':
        this.env = message.payload;
        if (this.draft) this.form?.refresh(this.draft, this.env);
        return this.renderSide('launch');
    }
  }

  private init(init: TrainInit): void {
    const saved = this.cache.get();
    this.fields.info = init.fields;
    this.env = init.env;
    this.presets = init.presets;
    this.closed = saved?.closedSections ?? [];
    this.form = buildForm(this.fields, init, this.picker, {
      pick: (target) => this.pick(target),
      browseModels: () => void this.picker.open(hubQuery(this.draft?.model ?? '')),
      sectionToggled: (id, open) => {
        this.closed = open ? this.closed.filter((c) => c !== id) : [...new Set([...this.closed, id])];
        this.saveState();
      },
    }, this.closed);
    this.presetSelect.replaceChildren(h('vscode-option', { value: '' }, 'Custom'), ...init.presets.map((p) => h('vscode-option', { value: p.name }, p.title)));
    this.presetSelect.addEventListener('change', () => void this.applyPreset(this.presetSelect.value));
    this.dropBadRows = this.fields.check('dropBadRows', 'Drop bad rows and train on the rest',
      'The worker leaves every row it cannot use (too long, missing image, image/marker mismatch…) out of training and counts them in a warning event and train.log; it never truncates a row.');
    this.budget = this.fields.text('budgetGb', { label: 'GPU memory to compare with (GB)', placeholder: '24' });
    const header = h('header', { class: 'top' },
      h('div', { class: 'title' }, h('h1', {}, 'Fine-tune'), h('span', { class: 'muted' }, 'LoRA / QLoRA on a LLaVA-style model')),
      h('div', { class: 'spacer' }),
      button('Load Config…', () => void this.call(async () => this.say((await this.client.request('loadConfig', {})).path, 'Loaded')), { secondary: true, icon: 'folder-opened' }),
      button('Save Config…', () => void this.call(async () => this.say((await this.client.request('saveConfig', {})).path, 'Saved')), { secondary: true, icon: 'save' }),
      button('Copy as CLI', () => void this.copy('cli'), { secondary: true, icon: 'terminal', title: 'Copy `llava-studio train <config file>` (saves the config first)' }),
      button('Copy as Python', () => void this.copy('python'), { secondary: true, icon: 'copy', title: 'Copy the worker\'s own command line, as the supervisor starts it' }),
    );
    const side = h('aside', { class: 'side' }, this.boxes.probe, this.boxes.dataset, this.boxes.estimate, this.boxes.launch);
    const presetRow = h('div', { class: 'preset-row' }, h('div', { class: 'preset-box' }, h('vscode-label', {}, 'Preset'), this.presetSelect), this.presetNote);
    this.root.replaceChildren(header, presetRow, this.notice, h('div', { class: 'columns' }, h('main', { class: 'main' }, this.form.el), side));
    this.lastSent = init.draft;
    this.showDraft(saved?.draft ?? init.draft);
    if (saved?.draft) this.send();
    for (const key of ['probe', 'dataset', 'estimate', 'launch'] as const) this.renderSide(key);
  }

  private showDraft(draft: TrainDraft): void {
    this.draft = draft;
    this.fields.setDraft(draft);
    this.presetSelect.value = draft.preset;
    this.presetNote.textContent = this.presets.find((p) => p.name === draft.preset)?.description ?? '';
    this.form?.refresh(draft, this.env);
    this.saveState();
  }

  private edit(field: DraftField, value: string | boolean): void {
    if (!this.draft) return;
    this.draft = { ...this.draft, [field]: value };
    this.form?.refresh(this.draft, this.env);
    if (field === 'model' && this.picker.isOpen) {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => void this.picker.open(hubQuery(String(value))), 400);
    }
    clearTimeout(this.sendTimer);
    this.sendTimer = setTimeout(() => this.send(), 150);
    this.saveState();
  }

  /** Sends the draft now (before any request, so the host acts on what is on screen). */
  private send(): void {
    clearTimeout(this.sendTimer);
    this.sendTimer = undefined;
    if (!this.draft) return;
    this.lastSent = this.draft;
    this.client.notify('draft', { draft: this.draft });
  }

  /** The host's draft, except where the person typed since the host last heard: their typing wins. */
  private merge(host: TrainDraft): TrainDraft {
    const local = this.draft;
    const sent = this.lastSent;
    this.lastSent = host;
    if (!local || !sent) return host;
    const merged = { ...host } as Record<string, unknown>;
    for (const key of Object.keys(host) as DraftField[]) if (host[key] === sent[key]) merged[key] = local[key];
    const draft = merged as unknown as TrainDraft;
    if (JSON.stringify(draft) !== JSON.stringify(host)) {
      clearTimeout(this.sendTimer);
      this.sendTimer = setTimeout(() => this.send(), 150);
    }
    return draft;
  }

  private setField(field: DraftField, value: string): void {
    this.edit(field, value);
    this.fields.setDraft(this.draft!);
  }

  private async applyPreset(name: string): Promise<void> {
    if (!name || !this.draft || name === this.draft.preset) return;
    await this.call(() => this.client.request('applyPreset', { name }));
  }

  private pick(target: PickTarget): void {
    void this.call(() => this.client.request('pick', { target }, 10 * 60_000));
  }

  private async copy(kind: 'cli' | 'python'): Promise<void> {
    await this.call(async () => {
      const { text } = await this.client.request('copyCommand', { kind }, 10 * 60_000);
      if (text) this.notify(`Copied: ${text.split('\n').at(-1)}`);
    });
  }

  private say(path: string | null, verb: string): void {
    if (path) this.notify(`${verb} ${path}`);
  }

  private async call(run: () => Promise<unknown>): Promise<void> {
    this.send(); // typed edits reach the host before the request that acts on them
    try {
      await run();
    } catch (error) {
      this.notify((error as Error).message, true);
    }
  }

  private notify(text: string, error = false): void {
    this.notice.textContent = text;
    this.notice.className = `notice${error ? ' error' : ''}`;
  }

  private renderIssues(): void {
    const general = this.fields.setIssues(this.issues);
    this.renderSide('launch', general);
  }

  private renderSide(key: BoxKey, general: FieldIssue[] = this.issues.filter((i) => !i.field)): void {
    if (!this.form) return;
    const box = this.boxes[key];
    if (key === 'probe') box.replaceChildren(...renderProbe(this.views.probe, () => this.client.notify('reprobe', {})));
    if (key === 'dataset') box.replaceChildren(...renderDataset(this.views.dataset, this.dropBadRows!));
    if (key === 'estimate') box.replaceChildren(...renderEstimate(this.views.estimate, (index) => void this.call(() => this.client.request('applySuggestion', { index })), this.budget!));
    if (key === 'launch') {
      box.replaceChildren(...renderLaunch({
        view: this.views.launch, env: this.env, issues: this.issues, general,
        launch: (target) => void this.call(() => this.client.request('launch', { target }, 30 * 60_000)),
        runAction: (action) => this.client.notify('runAction', { action }),
      }));
    }
  }

  private saveState(): void {
    if (this.draft) this.cache.set({ draft: this.draft, closedSections: this.closed });
  }
}
