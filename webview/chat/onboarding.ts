import type { Onboarding, PanelAction } from '../../src/protocol/chat';
import { h } from '../common/dom';
import { iconButton, textButton } from './answerCard';

/**
 * Shown when no model can answer yet (or from the header's Models button): the shortlisted small
 * models with their download sizes, a local folder, or an OpenAI-compatible server.
 */
export class ModelsCard {
  readonly el = h('section', { class: 'models-card', 'aria-label': 'Chat models', hidden: true });
  private data: Onboarding | null = null;
  private forced = false;

  constructor(private readonly act: (action: PanelAction) => void) {}

  show(onboarding: Onboarding): void {
    this.data = onboarding;
    this.render();
  }

  toggle(): void {
    this.forced = !this.forced;
    this.render();
  }

  private render(): void {
    const d = this.data;
    this.el.hidden = !d || (!d.needed && !this.forced);
    if (!d || this.el.hidden) return;
    const rows = d.shortlist.map((m) => h('tr', {},
      h('td', { class: 'model-name' }, h('div', {}, m.label), h('div', { class: 'muted small' }, m.notes)),
      h('td', { class: 'model-size' }, `~${m.approxMb} MB`),
      h('td', {}, m.downloaded ? h('span', { class: 'muted' }, 'downloaded')
        : textButton('cloud-download', 'Download', () => this.act({ name: 'downloadModel', repo: m.repo }), 'secondary download'))));
    const parts: (HTMLElement | null)[] = [
      h('div', { class: 'models-head' },
        h('h2', {}, d.needed ? 'Pick a model to chat with' : 'Chat models'),
        d.needed ? null : iconButton('close', 'Close', () => this.toggle())),
      h('p', { class: 'muted' }, 'Small models run on this computer\'s CPU, inside VS Code. Downloads go to the extension\'s storage and are used offline afterwards.'),
      d.problem ? h('p', { class: 'warning' }, h('span', { class: 'codicon codicon-warning', 'aria-hidden': 'true' }), ` ${d.problem}`) : null,
      h('table', { class: 'shortlist' }, h('tbody', {}, ...rows)),
      h('div', { class: 'models-actions' },
        textButton('folder-opened', 'Use a local folder…', () => this.act({ name: 'useLocalFolder' })),
        textButton('settings-gear', 'Server / worker settings…', () => this.act({ name: 'openSettings' })),
        textButton('key', 'Set API key…', () => this.act({ name: 'setOpenAiKey' })))];
    this.el.replaceChildren(...parts.filter((n): n is HTMLElement => n !== null));
  }
}
