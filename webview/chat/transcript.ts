import type { AnswerView, ConversationView, TurnView } from '../../src/protocol/chat';
import { h } from '../common/dom';
import { AnswerCard } from './answerCard';
import type { ChatContext } from './context';

interface TurnParts {
  el: HTMLElement;
  turn: TurnView;
  cards: Map<number, AnswerCard>;
  answers: HTMLElement;
}

/** Thumbnail of a conversation image; click (or Enter) opens the zoomable viewer. */
export function thumbnail(ctx: ChatContext, id: string, cls = 'thumb'): HTMLElement {
  const image = ctx.image(id);
  const name = image?.view.name ?? id;
  if (!image?.url) {
    return h('div', { class: `${cls} missing`, title: image?.view.missing ?? 'image not available' }, h('span', { class: 'codicon codicon-file-media', 'aria-hidden': 'true' }), h('span', {}, image?.view.missing ?? name));
  }
  const button = h('button', { type: 'button', class: cls, title: `${name} — ${image.view.origin}\nClick to zoom`, 'aria-label': `Zoom ${name}` },
    h('img', { src: image.url, alt: name, draggable: 'false' }));
  button.addEventListener('click', () => ctx.openImage(id));
  return button;
}

/** The conversation: each turn's images and prompt, then its answers (side by side when compared). */
export class Transcript {
  readonly el = h('main', { class: 'transcript', 'aria-label': 'Conversation', 'aria-live': 'off' });
  private readonly turns = new Map<string, TurnParts>();

  constructor(private readonly ctx: ChatContext) {}

  render(conversation: ConversationView): void {
    this.turns.clear();
    this.el.replaceChildren();
    for (const turn of conversation.turns) this.upsertTurn(turn);
  }

  get isEmpty(): boolean {
    return this.turns.size === 0;
  }

  upsertTurn(turn: TurnView): void {
    const existing = this.turns.get(turn.id);
    const compared = turn.answers.length > 1;
    const answers = h('div', { class: `answers${compared ? ' compare' : ''}` });
    const parts: TurnParts = { el: h('article', { class: 'turn', 'data-turn': turn.id }), turn, cards: new Map(), answers };
    const images = turn.imageIds.length ? h('div', { class: 'turn-images' }, ...turn.imageIds.map((id) => thumbnail(this.ctx, id))) : null;
    parts.el.append(h('div', { class: 'user' }, images, h('div', { class: 'prompt' }, h('span', { class: 'who' }, 'You'), h('div', { class: 'prompt-text' }, turn.prompt))), answers);
    for (const answer of turn.answers) {
      const card = new AnswerCard(this.ctx, turn.id, () => parts.turn.prompt, answer, compared);
      parts.cards.set(answer.slot, card);
      answers.append(card.el);
    }
    if (existing) existing.el.replaceWith(parts.el);
    else this.el.append(parts.el);
    this.turns.set(turn.id, parts);
    this.refreshActions();
    parts.el.scrollIntoView({ block: 'end' });
  }

  updateAnswer(turnId: string, answer: AnswerView): void {
    const parts = this.turns.get(turnId);
    const card = parts?.cards.get(answer.slot);
    if (!parts || !card) return;
    parts.turn = { ...parts.turn, answers: parts.turn.answers.map((a) => (a.slot === answer.slot ? answer : a)) };
    card.update(answer);
    this.followBottom();
  }

  appendToken(turnId: string, slot: number, offset: number, text: string): void {
    this.turns.get(turnId)?.cards.get(slot)?.append(offset, text);
    this.followBottom();
  }

  refreshActions(): void {
    for (const parts of this.turns.values()) for (const card of parts.cards.values()) card.renderFooter();
  }

  /** Keeps the newest text in view while streaming, unless the user scrolled up to read. */
  private followBottom(): void {
    const scroller = document.scrollingElement ?? document.documentElement;
    if (scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 120) scroller.scrollTop = scroller.scrollHeight;
  }
}
