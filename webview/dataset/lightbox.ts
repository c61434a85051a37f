/** Full-size view of an embedded image (file images open in VS Code's own image preview instead). */
import { h } from '../common/dom';

export class Lightbox {
  readonly el: HTMLElement;
  private readonly img = h('img', { class: 'lightbox-image', alt: '' });
  private readonly caption = h('div', { class: 'lightbox-caption' });
  private returnFocus: HTMLElement | null = null;

  constructor() {
    const close = h('button', { class: 'lightbox-close', type: 'button', 'aria-label': 'Close' }, h('span', { class: 'codicon codicon-close', 'aria-hidden': 'true' }));
    close.addEventListener('click', () => this.hide());
    this.el = h('div', { class: 'lightbox', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Image', hidden: true, tabindex: '-1' }, close, this.img, this.caption);
    this.el.addEventListener('click', (e) => { if (e.target === this.el) this.hide(); });
    this.el.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); this.hide(); } });
  }

  show(dataUrl: string, caption: string): void {
    this.returnFocus = document.activeElement as HTMLElement | null;
    this.img.src = dataUrl;
    this.caption.textContent = caption;
    this.el.hidden = false;
    this.el.focus();
  }

  hide(): void {
    this.el.hidden = true;
    this.img.removeAttribute('src');
    this.returnFocus?.focus();
  }
}
