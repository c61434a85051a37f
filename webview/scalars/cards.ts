import type { VscodeCollapsible } from '@vscode-elements/elements/dist/vscode-collapsible/vscode-collapsible.js';
import { groupTags } from '../../src/core/scalars/tags';
import { h } from '../common/dom';
import { TagCard } from './card';
import type { ScalarsContext } from './context';

interface Group {
  el: VscodeCollapsible;
  grid: HTMLElement;
}

/** Cards per tag in collapsible groups; charts are drawn lazily for cards in or near the viewport. */
export class CardsView {
  readonly el = h('div', { class: 'groups' });
  private readonly cards = new Map<string, TagCard>();
  private readonly groups = new Map<string, Group>();
  private readonly byElement = new WeakMap<Element, TagCard>();
  private readonly io: IntersectionObserver;
  private readonly ro: ResizeObserver;
  private frame = 0;
  private width = 0;

  constructor(private readonly ctx: ScalarsContext, private readonly onToggleGroup: (group: string, open: boolean) => void) {
    this.io = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const card = this.byElement.get(entry.target);
        if (card) card.intersecting = entry.isIntersecting;
      }
      this.schedule();
    }, { rootMargin: '300px 0px' });
    this.ro = new ResizeObserver(() => {
      const width = this.el.clientWidth;
      if (width === this.width) return;
      this.width = width;
      this.invalidate();
    });
    this.ro.observe(this.el);
  }

  /** Shows the cards of these tags (already filtered), grouped by prefix. */
  layout(tags: Iterable<string>, collapsed: ReadonlySet<string>): void {
    const wanted = groupTags(tags);
    const keep = new Set(wanted.map((g) => g.group));
    for (const [name, group] of this.groups) if (!keep.has(name)) { group.el.remove(); this.groups.delete(name); }
    const groupEls = wanted.map(({ group, tags: groupTagList }) => {
      const g = this.group(group);
      g.el.description = `${groupTagList.length} chart${groupTagList.length === 1 ? '' : 's'}`;
      g.el.open = !collapsed.has(group);
      g.grid.replaceChildren(...groupTagList.map((tag) => this.card(tag).el));
      return g.el;
    });
    this.el.replaceChildren(...groupEls);
  }

  /** Marks cards for redraw (all when no tags given); `rebuild` recreates their charts (theme change). */
  invalidate(tags?: Iterable<string>, rebuild = false): void {
    const list = tags ? [...tags].map((t) => this.cards.get(t)).filter((c): c is TagCard => !!c) : [...this.cards.values()];
    for (const card of list) card.invalidate(rebuild);
    this.schedule();
  }

  /** Batches drawing into one animation frame. */
  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.flush();
    });
  }

  /** Draws every dirty card that is on screen; returns how many were drawn. */
  flush(): number {
    let drawn = 0;
    for (const card of this.cards.values()) if (card.el.isConnected && card.draw()) drawn++;
    return drawn;
  }

  /**
   * Decides synchronously which cards are near the viewport, so the first paint does not wait a
   * frame for the IntersectionObserver's first report.
   */
  primeVisibility(): void {
    const bottom = window.innerHeight + 300;
    for (const card of this.cards.values()) {
      if (!card.el.isConnected) continue;
      const r = card.el.getBoundingClientRect();
      card.intersecting = r.height > 0 && r.bottom >= -300 && r.top <= bottom;
    }
  }

  /** True when every card on screen shows its current data. */
  allVisibleDrawn(): boolean {
    for (const card of this.cards.values()) if (card.el.isConnected && card.intersecting && card.dirty) return false;
    return true;
  }

  private card(tag: string): TagCard {
    let card = this.cards.get(tag);
    if (!card) {
      card = new TagCard(tag, this.ctx);
      this.cards.set(tag, card);
      this.byElement.set(card.el, card);
      this.io.observe(card.el);
    }
    return card;
  }

  private group(name: string): Group {
    let g = this.groups.get(name);
    if (!g) {
      const grid = h('div', { class: 'grid' });
      const el = h('vscode-collapsible', { heading: name, class: 'group' }, grid) as VscodeCollapsible;
      el.addEventListener('vsc-collapsible-toggle', (e) => this.onToggleGroup(name, (e as CustomEvent<{ open: boolean }>).detail.open));
      g = { el, grid };
      this.groups.set(name, g);
    }
    return g;
  }
}
