import type { AnswerView } from '../../src/protocol/chat';
import { h } from '../common/dom';
import { formatMs, type ChatContext } from './context';
import { renderMarkdown } from './markdownDom';

const FINISH: Record<string, string> = { eos: '', length: 'hit max new tokens', stopped: 'stopped' };

function icon(name: string): HTMLElement {
  return h('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}

export function iconButton(name: string, label: string, onClick: () => void, extra: Record<string, string> = {}): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'icon-button', title: label, 'aria-label': label, ...extra }, icon(name));
  button.addEventListener('click', onClick);
  return button;
}

export function textButton(iconName: string, label: string, onClick: () => void, cls = 'secondary'): HTMLButtonElement {
  const button = h('button', { type: 'button', class: `text-button ${cls}` }, icon(iconName), h('span', {}, label));
  button.addEventListener('click', onClick);
  return button;
}

/** One answer: its column label, the text (Markdown built as DOM), status, the figures and actions. */
export class AnswerCard {
  readonly el: HTMLElement;
  private readonly title = h('span', { class: 'answer-title' });
  private readonly body = h('div', { class: 'answer-text' });
  private readonly status = h('div', { class: 'answer-status', role: 'status' });
  private readonly footer = h('footer', { class: 'answer-footer' });
  private readonly actions = h('div', { class: 'answer-actions' });
  private answer: AnswerView;
  private renderQueued = false;

  constructor(private readonly ctx: ChatContext, private readonly turnId: string, private readonly prompt: () => string, answer: AnswerView, compared: boolean) {
    this.answer = answer;
    this.el = h('section', { class: 'answer', 'data-slot': String(answer.slot) },
      h('header', { class: 'answer-header' }, compared ? h('span', { class: 'slot-badge' }, answer.slot === 0 ? 'A' : 'B') : null, this.title),
      this.status, this.body, h('div', { class: 'answer-bottom' }, this.footer, this.actions));
    this.update(answer);
  }

  get view(): AnswerView {
    return this.answer;
  }

  update(answer: AnswerView): void {
    this.answer = answer;
    this.el.dataset.status = answer.status;
    this.el.setAttribute('aria-busy', String(answer.status === 'waiting' || answer.status === 'streaming'));
    this.title.textContent = answer.targetLabel;
    this.renderStatus();
    this.renderText();
    this.renderFooter();
  }

  /** Streamed text; `offset` is where it starts, so a chunk the page already has is never doubled. */
  append(offset: number, text: string): void {
    const current = this.answer.text;
    if (offset > current.length) return; // a gap: the next full `answer` message brings everything
    this.answer = { ...this.answer, text: current.slice(0, offset) + text, status: 'streaming', stage: null };
    this.el.dataset.status = 'streaming';
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.renderStatus();
      this.renderText();
    });
  }

  private renderStatus(): void {
    const a = this.answer;
    this.status.replaceChildren();
    if (a.status === 'waiting') this.status.append(h('span', { class: 'spinner', 'aria-hidden': 'true' }), a.stage ?? 'Waiting…');
    else if (a.status === 'error' && a.error) {
      this.status.append(h('div', { class: 'error-box', role: 'alert' },
        icon('error'), h('div', {}, h('div', { class: 'error-message' }, a.error.message), a.error.hint ? h('div', { class: 'error-hint' }, a.error.hint) : null)));
    }
    this.status.hidden = this.status.childNodes.length === 0;
  }

  private renderText(): void {
    const a = this.answer;
    this.body.replaceChildren(renderMarkdown(a.text));
    if (a.status === 'streaming') this.body.append(h('span', { class: 'caret', 'aria-hidden': 'true' }));
    if (a.status === 'stopped' && a.text === '') this.body.append(h('p', { class: 'muted' }, 'Stopped before the first token.'));
    this.body.hidden = a.text === '' && a.status !== 'stopped' && a.status !== 'streaming';
  }

  /** Actions depend on which turn is last and on whether anything is running. */
  renderFooter(): void {
    const a = this.answer;
    this.footer.replaceChildren();
    this.actions.replaceChildren();
    const finished = a.status === 'done' || a.status === 'stopped';
    if (a.meta) {
      const m = a.meta;
      const parts = [`${m.backend} · ${m.model}`, `${m.tokens} tokens`];
      if (m.tokens > 0) parts.push(`TTFT ${formatMs(m.ttft_ms)}`);
      if (m.tokens_per_s > 0) parts.push(`${m.tokens_per_s.toFixed(1)} tok/s`);
      this.footer.append(h('span', { class: 'meta' }, parts.join(' · ')));
    }
    const finish = a.status === 'stopped' ? 'stopped' : a.meta ? FINISH[a.meta.finishReason] : '';
    if (finish) this.footer.append(h('span', { class: `finish finish-${a.status === 'stopped' ? 'stopped' : a.meta?.finishReason}` }, finish));
    if (finished && a.text.trim() !== '') {
      this.actions.append(
        iconButton('copy', 'Copy this turn as Markdown', () => void this.copy()),
        iconButton('database', 'Add to dataset…', () => this.ctx.addToDataset(this.turnId, this.prompt(), this.answer)),
      );
    }
    if ((finished || a.status === 'error') && this.ctx.lastTurnId() === this.turnId && !this.ctx.busy()) {
      this.actions.append(iconButton('refresh', 'Regenerate', () => this.ctx.regenerate(this.turnId)));
    }
  }

  private async copy(): Promise<void> {
    try {
      const { chars } = await this.ctx.client.request('copyMarkdown', { turnId: this.turnId });
      this.ctx.notice(`Copied ${chars} characters of Markdown.`);
    } catch (error) {
      this.ctx.notice((error as Error).message, true);
    }
  }
}
