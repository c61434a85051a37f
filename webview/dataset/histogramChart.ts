/**
 * Token lengths as bars on a canvas, with the max length marked: bars past it are drawn in the error
 * colour. Bins arrive from the host (the max length is always a bin edge). Hover shows a bin's range
 * and count; the canvas carries a text summary for screen readers.
 */
import type { Histogram } from '../../src/protocol/dataset';
import { h } from '../common/dom';
import { cssVar, withAlpha } from '../common/theme';
import { compact, n, niceStep } from './format';

const HEIGHT = 104;
const PAD = { left: 34, right: 8, top: 14, bottom: 18 };

export class HistogramChart {
  readonly el: HTMLElement;
  private readonly canvas = h('canvas', { class: 'histogram-canvas', role: 'img' });
  private readonly tip = h('div', { class: 'histogram-tip', hidden: true });
  private data: Histogram = { binWidth: 1, counts: [] };
  private maxLength = 2048;
  private width = 0;

  constructor() {
    this.el = h('div', { class: 'histogram' }, this.canvas, this.tip);
    new ResizeObserver(() => this.resize()).observe(this.el);
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => { this.tip.hidden = true; });
  }

  set(data: Histogram, maxLength: number, summary: string): void {
    this.data = data;
    this.maxLength = maxLength;
    this.canvas.setAttribute('aria-label', summary);
    this.draw();
  }

  redraw(): void {
    this.draw();
  }

  private resize(): void {
    const width = Math.floor(this.el.clientWidth);
    if (width === this.width) return;
    this.width = width;
    this.draw();
  }

  private range(): number {
    return Math.max(1, this.data.counts.length) * this.data.binWidth;
  }

  private draw(): void {
    const width = this.width || this.el.clientWidth;
    if (width <= 0) return;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(HEIGHT * dpr);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${HEIGHT}px`;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.scale(dpr, dpr);
    const fg = cssVar('editor-foreground');
    const muted = cssVar('descriptionForeground');
    const ok = cssVar('charts-blue');
    const bad = cssVar('charts-red');
    const font = `${11}px ${cssVar('font-family')}`;
    const plotW = width - PAD.left - PAD.right;
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    const counts = this.data.counts;
    const maxCount = Math.max(1, ...counts);
    const range = this.range();
    const x = (tokens: number): number => PAD.left + (tokens / range) * plotW;
    ctx.font = font;
    ctx.textBaseline = 'middle';
    // Baseline and y labels.
    ctx.strokeStyle = withAlpha(muted, 0.5);
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(PAD.left, PAD.top + plotH + 0.5);
    ctx.lineTo(PAD.left + plotW, PAD.top + plotH + 0.5);
    ctx.stroke();
    ctx.fillStyle = muted;
    ctx.textAlign = 'right';
    ctx.fillText(compact(maxCount), PAD.left - 4, PAD.top);
    ctx.fillText('0', PAD.left - 4, PAD.top + plotH);
    // Bars.
    const barW = plotW / Math.max(1, counts.length);
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i]!;
      if (c === 0) continue;
      const barH = Math.max(1, (c / maxCount) * plotH);
      ctx.fillStyle = (i + 1) * this.data.binWidth > this.maxLength + 1e-9 ? bad : ok;
      ctx.fillRect(PAD.left + i * barW + 0.5, PAD.top + plotH - barH, Math.max(1, barW - 1), barH);
    }
    // X ticks.
    ctx.fillStyle = muted;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const step = niceStep(range, Math.max(2, Math.floor(plotW / 70)));
    for (let t = 0; t <= range + 1e-9; t += step) ctx.fillText(compact(t), Math.min(x(t), PAD.left + plotW - 8), PAD.top + plotH + 4);
    // Max length line.
    const mx = Math.round(x(this.maxLength)) + 0.5;
    ctx.strokeStyle = fg;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(mx, PAD.top - 2);
    ctx.lineTo(mx, PAD.top + plotH);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = fg;
    ctx.textBaseline = 'middle';
    const label = `max ${n(this.maxLength)}`;
    const labelW = ctx.measureText(label).width;
    const right = mx + 4 + labelW < PAD.left + plotW;
    ctx.textAlign = right ? 'left' : 'right';
    ctx.fillText(label, right ? mx + 4 : mx - 4, PAD.top + 2);
  }

  private hover(event: MouseEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    const plotW = rect.width - PAD.left - PAD.right;
    const bins = this.data.counts.length;
    const i = Math.floor(((event.clientX - rect.left - PAD.left) / plotW) * bins);
    if (i < 0 || i >= bins || plotW <= 0) {
      this.tip.hidden = true;
      return;
    }
    const from = Math.floor(i * this.data.binWidth) + (i === 0 ? 0 : 1);
    const to = Math.floor((i + 1) * this.data.binWidth);
    this.tip.textContent = `${n(from)}–${n(to)} tokens: ${n(this.data.counts[i]!)} rows`;
    this.tip.hidden = false;
    const left = Math.min(Math.max(0, event.clientX - rect.left + 10), rect.width - this.tip.offsetWidth);
    this.tip.style.left = `${left}px`;
  }
}
