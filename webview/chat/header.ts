import { MAX_NEW_TOKENS_LIMIT, type GenerationSettings, type TargetInfo } from '../../src/protocol/chat';
import { h } from '../common/dom';
import { iconButton, textButton } from './answerCard';

export interface HeaderEvents {
  targets(a: string, b: string | null): void;
  compare(on: boolean): void;
  settings(settings: GenerationSettings): void;
  copyMarkdown(): void;
  newChat(): void;
  manageModels(): void;
}

const KIND_LABEL: Record<TargetInfo['kind'], string> = { onnx: 'in VS Code (ONNX)', openai: 'OpenAI-compatible server', worker: 'Python worker' };

function select(label: string, cls: string): HTMLSelectElement {
  return h('select', { class: `target-select ${cls}`, 'aria-label': label });
}

/** The panel header: model pickers (two in compare mode), generation settings, transcript actions. */
export class Header {
  readonly el: HTMLElement;
  private readonly a = select('Model', 'target-a');
  private readonly b = select('Second model to compare', 'target-b');
  private readonly compareToggle: HTMLButtonElement;
  private readonly problem = h('div', { class: 'target-problem', role: 'status' });
  private readonly settingsPanel: HTMLElement;
  private readonly settingsToggle: HTMLButtonElement;
  private readonly maxTokens = h('input', { type: 'number', min: 1, max: MAX_NEW_TOKENS_LIMIT, step: 1, class: 'num max-tokens', 'aria-label': 'Max new tokens' });
  private readonly greedy = h('input', { type: 'checkbox', class: 'greedy', id: 'greedy' });
  private readonly temperature = h('input', { type: 'number', min: 0, max: 2, step: 0.05, class: 'num temperature', 'aria-label': 'Temperature' });
  private readonly topP = h('input', { type: 'number', min: 0.01, max: 1, step: 0.01, class: 'num top-p', 'aria-label': 'Top-p' });
  private readonly ignoreEos = h('input', { type: 'checkbox', class: 'ignore-eos', id: 'ignore-eos' });
  private targets: TargetInfo[] = [];
  private compare = false;

  constructor(private readonly events: HeaderEvents) {
    this.compareToggle = textButton('split-horizontal', 'Compare', () => this.setCompare(!this.compare, true), 'secondary compare-toggle');
    this.compareToggle.title = 'Send the same image and question to two models side by side';
    this.settingsToggle = iconButton('settings', 'Generation settings', () => this.toggleSettings(), { 'aria-expanded': 'false', class: 'icon-button settings-toggle' });
    this.settingsPanel = h('div', { class: 'settings-panel', hidden: true, role: 'group', 'aria-label': 'Generation settings' },
      h('label', { class: 'field' }, h('span', {}, 'Max new tokens'), this.maxTokens),
      h('label', { class: 'field check' }, this.greedy, h('span', {}, 'Greedy (deterministic)')),
      h('label', { class: 'field' }, h('span', {}, 'Temperature'), this.temperature),
      h('label', { class: 'field' }, h('span', {}, 'Top-p'), this.topP),
      h('label', { class: 'field check', title: 'Keep generating past the end-of-sequence token until max new tokens (throughput checks)' }, this.ignoreEos, h('span', {}, 'Ignore end of sequence')));
    this.el = h('header', { class: 'chat-header' },
      h('div', { class: 'header-row' },
        h('div', { class: 'targets' }, this.a, this.compareToggle, this.b),
        h('span', { class: 'spacer' }),
        this.settingsToggle,
        iconButton('markdown', 'Copy conversation as Markdown', () => this.events.copyMarkdown()),
        iconButton('server-process', 'Models: download, local folder, server settings…', () => this.events.manageModels()),
        iconButton('add', 'New chat', () => this.events.newChat())),
      this.problem, this.settingsPanel);
    this.b.hidden = true;
    this.a.addEventListener('change', () => this.emitTargets());
    this.b.addEventListener('change', () => this.emitTargets());
    for (const input of [this.maxTokens, this.temperature, this.topP, this.greedy, this.ignoreEos]) input.addEventListener('change', () => this.emitSettings());
  }

  setTargets(targets: TargetInfo[], chosen: [string, string | null]): [string, string | null] {
    this.targets = targets;
    const fill = (el: HTMLSelectElement) => {
      el.replaceChildren(...targets.map((t) => h('option', { value: t.id, disabled: t.problem !== null, title: t.problem ?? t.detail }, `${t.label} — ${KIND_LABEL[t.kind]}${t.problem ? ' (unavailable)' : ''}`)));
    };
    fill(this.a);
    fill(this.b);
    if (targets.length === 0) this.a.append(h('option', { value: '' }, 'No model yet'));
    const usable = targets.filter((t) => t.problem === null);
    const pick = (id: string | null, avoid?: string) => (id && usable.some((t) => t.id === id) ? id : (usable.find((t) => t.id !== avoid) ?? usable[0])?.id ?? '');
    const a = pick(chosen[0]);
    const b = pick(chosen[1], a);
    this.a.value = a;
    this.b.value = b;
    this.a.disabled = targets.length === 0;
    this.compareToggle.disabled = usable.length === 0;
    this.showProblem();
    return [a, b || null];
  }

  setCompare(on: boolean, emit = false): void {
    this.compare = on;
    this.b.hidden = !on;
    this.compareToggle.setAttribute('aria-pressed', String(on));
    this.compareToggle.classList.toggle('on', on);
    if (emit) this.events.compare(on);
  }

  showSettings(settings: GenerationSettings): void {
    this.maxTokens.value = String(settings.maxNewTokens);
    this.greedy.checked = settings.greedy;
    this.temperature.value = String(settings.temperature);
    this.topP.value = String(settings.topP);
    this.ignoreEos.checked = settings.ignoreEos;
    this.temperature.disabled = settings.greedy;
    this.topP.disabled = settings.greedy;
  }

  /** The targets chosen now (b null unless comparing). */
  chosen(): string[] {
    return this.compare && this.b.value && this.b.value !== this.a.value ? [this.a.value, this.b.value] : this.a.value ? [this.a.value] : [];
  }

  private toggleSettings(): void {
    const open = this.settingsPanel.hidden === true;
    this.settingsPanel.hidden = !open;
    this.settingsToggle.setAttribute('aria-expanded', String(open));
    this.settingsToggle.classList.toggle('on', open);
  }

  private showProblem(): void {
    const a = this.targets.find((t) => t.id === this.a.value);
    const unusable = this.targets.filter((t) => t.problem !== null);
    this.problem.replaceChildren(...unusable.map((t) => h('div', {}, h('span', { class: 'codicon codicon-warning', 'aria-hidden': 'true' }), ` ${t.label}: ${t.problem}`)));
    this.problem.hidden = unusable.length === 0;
    this.a.title = a ? a.detail : 'No model';
  }

  private emitTargets(): void {
    this.showProblem();
    this.events.targets(this.a.value, this.b.value || null);
  }

  private emitSettings(): void {
    const clamp = (value: number, min: number, max: number, fallback: number) => (Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback);
    const settings: GenerationSettings = {
      maxNewTokens: Math.round(clamp(Number(this.maxTokens.value), 1, MAX_NEW_TOKENS_LIMIT, 256)),
      greedy: this.greedy.checked,
      temperature: clamp(Number(this.temperature.value), 0, 2, 0.7),
      topP: clamp(Number(this.topP.value), 0.01, 1, 0.9),
      ignoreEos: this.ignoreEos.checked,
    };
    this.showSettings(settings);
    this.events.settings(settings);
  }
}
