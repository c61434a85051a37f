import { h } from '../common/dom';
import { iconButton } from './answerCard';

/**
 * A full-panel image viewer: wheel or +/− to zoom around the cursor, drag or arrow keys to pan,
 * 0 to fit, 1 for actual pixels, Esc to close. Pixels stay sharp when enlarged (small training
 * images are worth seeing as they are).
 */
export class Lightbox {
  readonly el: HTMLElement;
  private readonly img = h('img', { class: 'lightbox-image', alt: '', draggable: 'false' });
  private readonly stage = h('div', { class: 'lightbox-stage' });
  private readonly caption = h('span', { class: 'lightbox-caption' });
  private readonly zoomLabel = h('span', { class: 'lightbox-zoom', 'aria-live': 'polite' });
  private scale = 1;
  private x = 0;
  private y = 0;
  private drag: { x: number; y: number; px: number; py: number } | null = null;
  private returnFocus: HTMLElement | null = null;

  constructor() {
    const close = iconButton('close', 'Close (Esc)', () => this.close());
    this.el = h('div', { class: 'lightbox', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Image viewer', tabindex: '-1', hidden: true },
      h('div', { class: 'lightbox-bar' }, this.caption, h('span', { class: 'spacer' }), this.zoomLabel,
        iconButton('zoom-out', 'Zoom out (−)', () => this.zoomBy(1 / 1.25)),
        iconButton('zoom-in', 'Zoom in (+)', () => this.zoomBy(1.25)),
        iconButton('screen-normal', 'Fit (0)', () => this.fit()),
        iconButton('symbol-ruler', 'Actual pixels (1)', () => this.actual()),
        close),
      this.stage);
    this.stage.append(this.img);
    this.stage.addEventListener('wheel', (e) => {
      e.preventDefault();
      this.zoomBy(Math.exp(-e.deltaY / 300), e.clientX, e.clientY);
    }, { passive: false });
    this.stage.addEventListener('pointerdown', (e) => {
      this.drag = { x: e.clientX, y: e.clientY, px: this.x, py: this.y };
      this.stage.setPointerCapture(e.pointerId);
    });
    this.stage.addEventListener('pointermove', (e) => {
      if (!this.drag) return;
      this.x = this.drag.px + e.clientX - this.drag.x;
      this.y = this.drag.py + e.clientY - this.drag.y;
      this.apply();
    });
    this.stage.addEventListener('pointerup', () => { this.drag = null; });
    this.stage.addEventListener('dblclick', () => (this.scale === this.fitScale() ? this.actual() : this.fit()));
    this.el.addEventListener('keydown', (e) => this.onKey(e));
  }

  open(url: string, name: string, detail: string): void {
    this.returnFocus = document.activeElement as HTMLElement | null;
    this.caption.textContent = `${name} — ${detail}`;
    this.img.alt = name;
    this.el.hidden = false;
    const ready = () => { this.fit(); this.el.focus(); };
    this.img.onload = ready;
    this.img.src = url;
    if (this.img.complete && this.img.naturalWidth) ready();
  }

  close(): void {
    this.el.hidden = true;
    this.returnFocus?.focus();
  }

  private onKey(e: KeyboardEvent): void {
    const step = 40;
    const keys: Record<string, () => void> = {
      Escape: () => this.close(), '+': () => this.zoomBy(1.25), '=': () => this.zoomBy(1.25), '-': () => this.zoomBy(1 / 1.25),
      '0': () => this.fit(), '1': () => this.actual(),
      ArrowLeft: () => this.pan(step, 0), ArrowRight: () => this.pan(-step, 0), ArrowUp: () => this.pan(0, step), ArrowDown: () => this.pan(0, -step),
    };
    const run = keys[e.key];
    if (!run) return;
    e.preventDefault();
    run();
  }

  private fitScale(): number {
    const box = this.stage.getBoundingClientRect();
    const w = this.img.naturalWidth || 1;
    const hgt = this.img.naturalHeight || 1;
    return Math.min((box.width - 32) / w, (box.height - 32) / hgt);
  }

  private fit(): void {
    this.setScale(this.fitScale());
    this.center();
  }

  private actual(): void {
    this.setScale(1);
    this.center();
  }

  private center(): void {
    const box = this.stage.getBoundingClientRect();
    this.x = (box.width - this.img.naturalWidth * this.scale) / 2;
    this.y = (box.height - this.img.naturalHeight * this.scale) / 2;
    this.apply();
  }

  private pan(dx: number, dy: number): void {
    this.x += dx;
    this.y += dy;
    this.apply();
  }

  /** Zooms keeping the point under (cx, cy) — or the stage centre — where it is. */
  private zoomBy(factor: number, cx?: number, cy?: number): void {
    const box = this.stage.getBoundingClientRect();
    const px = (cx ?? box.left + box.width / 2) - box.left;
    const py = (cy ?? box.top + box.height / 2) - box.top;
    const before = this.scale;
    this.setScale(before * factor);
    const k = this.scale / before;
    this.x = px - (px - this.x) * k;
    this.y = py - (py - this.y) * k;
    this.apply();
  }

  private setScale(scale: number): void {
    this.scale = Math.min(64, Math.max(0.02, scale));
  }

  private apply(): void {
    this.img.style.transform = `translate(${this.x}px, ${this.y}px) scale(${this.scale})`;
    this.img.classList.toggle('pixelated', this.scale >= 2);
    this.zoomLabel.textContent = `${Math.round(this.scale * 100)}%`;
  }
}
