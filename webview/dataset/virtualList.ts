/**
 * The scrolling list: only the rows on screen (plus a little overscan) exist in the DOM. Rows have a
 * fixed height; long conversations scroll inside their card. Past the browser's element-height cap the
 * scrollbar is scaled (scrollMath) and wheel/keys move the list pixel by pixel.
 */
import { h } from '../common/dom';
import {
  clampVirtualTop, rowOffset, rowWindow, scrollFromVirtual, scrollRatio, spacerHeight, topForRow, virtualFromScroll, wheelPixels,
  type Geometry, type RowWindow,
} from './scrollMath';

export const ROW_HEIGHT = 232;
const GAP = 8;

export interface ListSource {
  /** The element for a position, or null when its row is not loaded (a placeholder is shown). */
  render(position: number): HTMLElement | null;
  placeholder(position: number): HTMLElement;
  /** The window changed: load what it needs. */
  windowChanged(window: RowWindow): void;
}

export class VirtualList {
  readonly el: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly empty = h('div', { class: 'list-empty', role: 'status' });
  private rows = 0;
  private top = 0;
  private viewport = 0;
  /** Position → element on screen, and whether it is a placeholder. */
  private shown = new Map<number, { el: HTMLElement; placeholder: boolean }>();
  private lastScrollTop = 0;
  private frame = 0;

  constructor(private readonly source: ListSource, label: string) {
    this.spacer = h('div', { class: 'list-spacer' });
    this.el = h('div', { class: 'list-viewport', tabindex: '0', role: 'list', 'aria-label': label }, this.spacer, this.empty);
    this.el.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.el.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.el.addEventListener('keydown', (e) => this.onKey(e));
    new ResizeObserver(() => this.layout()).observe(this.el);
  }

  private geometry(): Geometry {
    return { rows: this.rows, rowHeight: ROW_HEIGHT + GAP, viewport: this.viewport };
  }

  /** Row count of the view (it grows while the index and filters stream in). */
  setCount(rows: number): void {
    if (rows === this.rows) return;
    this.rows = rows;
    this.layout();
  }

  /** Drops every element (a new view); `top` is where to start. */
  reset(rows: number, emptyText = ''): void {
    for (const { el } of this.shown.values()) el.remove();
    this.shown.clear();
    this.rows = rows;
    this.top = 0;
    this.setEmptyText(emptyText);
    this.layout();
    this.el.scrollTop = 0;
    this.lastScrollTop = 0;
    this.render();
  }

  setEmptyText(text: string): void {
    this.empty.textContent = text;
    this.empty.hidden = text === '';
  }

  /** A position's row arrived (or changed): swap its placeholder for the card. */
  refresh(position: number): void {
    const current = this.shown.get(position);
    if (!current) return;
    const el = this.source.render(position);
    if (!el) return;
    this.place(el, position);
    current.el.replaceWith(el);
    this.shown.set(position, { el, placeholder: false });
  }

  refreshAll(): void {
    for (const [position, entry] of this.shown) if (entry.placeholder) this.refresh(position);
  }

  scrollToPosition(position: number, align: 'start' | 'nearest' = 'start'): void {
    this.setTop(topForRow(position, this.geometry(), align, this.top));
  }

  /** The window on screen now. */
  window(): RowWindow {
    return rowWindow(this.top, this.geometry());
  }

  private setTop(top: number): void {
    const g = this.geometry();
    this.top = clampVirtualTop(top, g);
    const scrollTop = scrollFromVirtual(this.top, g);
    this.el.scrollTop = scrollTop;
    this.lastScrollTop = this.el.scrollTop;
    this.render();
  }

  private layout(): void {
    this.viewport = this.el.clientHeight;
    const g = this.geometry();
    this.spacer.style.height = `${spacerHeight(g)}px`;
    this.top = clampVirtualTop(this.top, g);
    this.schedule();
  }

  private onScroll(): void {
    const scrollTop = this.el.scrollTop;
    // Our own scrollTop writes come back as scroll events; only a user's drag or native scroll moves `top` here.
    if (Math.abs(scrollTop - this.lastScrollTop) >= 1) this.top = virtualFromScroll(scrollTop, this.geometry());
    this.lastScrollTop = scrollTop;
    this.schedule();
  }

  private onWheel(event: WheelEvent): void {
    if (scrollRatio(this.geometry()) <= 1 || event.ctrlKey) return; // native scrolling is exact when unscaled
    const delta = wheelPixels(event.deltaY, event.deltaMode, this.viewport);
    // A conversation that can still scroll that way takes the wheel first.
    const inner = (event.target as HTMLElement | null)?.closest?.('.chat') as HTMLElement | null;
    if (inner && (delta > 0 ? inner.scrollTop + inner.clientHeight < inner.scrollHeight - 1 : inner.scrollTop > 0)) return;
    event.preventDefault();
    this.setTop(this.top + delta);
  }

  private onKey(event: KeyboardEvent): void {
    if (event.target !== this.el) return;
    const step = ROW_HEIGHT + GAP;
    const moves: Record<string, number> = {
      ArrowDown: 40, ArrowUp: -40, PageDown: this.viewport - step / 2, PageUp: -(this.viewport - step / 2), ' ': this.viewport - step / 2,
    };
    if (event.key === 'Home') this.setTop(0);
    else if (event.key === 'End') this.setTop(Number.MAX_SAFE_INTEGER);
    else if (event.key in moves) this.setTop(this.top + moves[event.key]!);
    else return;
    event.preventDefault();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private place(el: HTMLElement, position: number): void {
    el.style.transform = `translateY(${rowOffset(position, this.top, this.lastScrollTop, this.geometry())}px)`;
  }

  private render(): void {
    const window = this.window();
    for (const [position, { el }] of this.shown) {
      if (position < window.first || position >= window.end) {
        el.remove();
        this.shown.delete(position);
      }
    }
    for (let position = window.first; position < window.end; position++) {
      let entry = this.shown.get(position);
      if (!entry) {
        const card = this.source.render(position);
        entry = { el: card ?? this.source.placeholder(position), placeholder: card === null };
        this.shown.set(position, entry);
        this.spacer.append(entry.el);
      }
      this.place(entry.el, position);
    }
    this.source.windowChanged(window);
  }
}
