import type { GrowableSeries } from '../../src/core/scalars/columns';
import { buildCardData } from '../../src/core/scalars/cardData';
import { paddedRange, percentileRange, type YRange } from '../../src/core/scalars/outliers';
import type { ExportParams } from '../../src/protocol/scalars';
import { h } from '../common/dom';
import { TagChart } from './chart';
import type { ScalarsContext } from './context';
import { pngOfChart } from './png';
import { describeRows, rowsAt, type TooltipLine } from './tooltip';

const CHART_HEIGHT = 240;

/** One tag's card: header with export actions, the chart (created on first draw), a footer. */
export class TagCard {
  readonly el: HTMLElement;
  private readonly chartHost = h('div', { class: 'chart' });
  private readonly footer = h('span', { class: 'points' });
  private readonly note = h('span', { class: 'note', role: 'status' });
  private chart: TagChart | null = null;
  private lines: TooltipLine[] = [];
  private zoom: { from: number; to: number } | null = null;
  private outlierCache: { series: GrowableSeries[]; versions: number[]; log: boolean; range: YRange | null } | null = null;
  /** Needs drawing (new data, settings or size); drawn when on screen. */
  dirty = true;
  intersecting = false;

  constructor(readonly tag: string, private readonly ctx: ScalarsContext) {
    const title = h('h3', { class: 'card-title', title: tag }, tag);
    const actions = h('div', { class: 'card-actions' },
      this.action('export', 'Export CSV (all points of all runs)', () => this.export('csv')),
      this.action('json', 'Export JSON', () => this.export('json')),
      this.action('file-media', 'Export PNG', () => this.export('png')));
    this.el = h('article', { class: 'card', tabindex: 0, role: 'group', 'aria-roledescription': 'chart', 'aria-label': `chart ${tag}` },
      h('header', { class: 'card-header' }, title, actions),
      this.chartHost,
      h('footer', { class: 'card-footer' }, this.footer, this.note));
    this.chartHost.style.height = `${CHART_HEIGHT}px`;
    this.el.addEventListener('keydown', (e) => this.onKey(e));
    this.el.addEventListener('blur', () => { this.chart?.hideCursor(); this.ctx.tooltip.hide(); });
    this.chartHost.addEventListener('mouseleave', () => this.ctx.tooltip.hide());
  }

  /** Draws now if on screen and dirty; returns whether it drew. */
  draw(): boolean {
    if (!this.dirty || !this.intersecting) return false;
    this.dirty = false;
    const { state, settings, theme } = this.ctx;
    const runs = this.ctx.visibleRuns().filter((r) => this.ctx.store.get(r.id, this.tag));
    this.el.setAttribute('aria-label', `chart ${this.tag}, ${runs.length} run${runs.length === 1 ? '' : 's'}`);
    const smoothing = state().smoothing;
    const series = runs.map((r) => this.ctx.store.get(r.id, this.tag)!);
    this.lines = runs.map((r, i) => {
      const s = series[i]!;
      return { name: r.name, color: r.color, step: s.step, wall: s.wall, value: s.value, smoothed: smoothing > 0 ? this.ctx.store.smoothed(s, smoothing) : null, xMap: { offset: 0, div: 1 } };
    });
    const width = Math.max(120, this.chartHost.clientWidth);
    const { xAxis, envelope, logY, ignoreOutliers } = state();
    const data = buildCardData(this.lines, { xAxis, width: width - 60, maxPointsPerLine: settings().maxPointsPerLine, envelope, log: logY, range: this.zoom });
    data.xMaps.forEach((map, i) => { this.lines[i]!.xMap = map; });
    this.chart ??= new TagChart(this.chartHost, {
      zoom: (range) => { this.zoom = range; this.dirty = true; this.ctx.schedule(); },
      cursor: (at) => this.onCursor(at),
    });
    this.chart.render({
      data, lines: runs, xAxis, log: logY, smoothing: smoothing > 0, zoom: this.zoom,
      yRange: ignoreOutliers ? this.outlierRange(series, logY) : null,
    }, theme(), { width, height: CHART_HEIGHT });
    this.footer.textContent = (data.downsampled ? `showing ${data.shown.toLocaleString()} of ${data.total.toLocaleString()} points` : `${data.total.toLocaleString()} points`)
      + (this.zoom ? ' · zoomed: double-click to reset' : '');
    return true;
  }

  /** New data or options: draw again when on screen; `rebuild` (theme, x axis) also recreates the chart and drops the zoom. */
  invalidate(rebuild = false): void {
    this.dirty = true;
    if (!rebuild) return;
    this.chart?.destroy();
    this.chart = null;
    this.zoom = null;
  }

  dispose(): void {
    this.chart?.destroy();
    this.el.remove();
  }

  /** 5th–95th percentile of the raw values of the lines on the card, recomputed only when they change. */
  private outlierRange(series: GrowableSeries[], log: boolean): YRange | null {
    const c = this.outlierCache;
    const fresh = c && c.log === log && c.series.length === series.length
      && c.series.every((s, i) => s === series[i] && c.versions[i] === s.version);
    if (!fresh) {
      const r = percentileRange(series.map((s) => s.value), { positiveOnly: log });
      this.outlierCache = { series, versions: series.map((s) => s.version), log, range: r ? paddedRange(r, log) : null };
    }
    return this.outlierCache!.range;
  }

  private onCursor(at: { left: number; top: number; x: number } | null): void {
    const plot = this.chart?.instance;
    if (!at || !plot) return this.ctx.tooltip.hide();
    const rows = rowsAt(this.lines, at.x, this.ctx.state().xAxis);
    const rect = plot.over.getBoundingClientRect();
    this.ctx.tooltip.show(rows, { x: rect.left + at.left, y: rect.top + at.top });
    if (document.activeElement === this.el) this.ctx.announce(describeRows(rows));
  }

  private onKey(e: KeyboardEvent): void {
    if (e.target !== this.el) return;
    const step = e.shiftKey ? 40 : 8;
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      this.chart?.nudgeCursor(e.key === 'ArrowLeft' ? -step : step);
      e.preventDefault();
    } else if (e.key === 'Escape') {
      this.chart?.hideCursor();
      this.ctx.tooltip.hide();
    }
  }

  private action(icon: string, label: string, run: () => void): HTMLElement {
    const button = h('vscode-toolbar-button', { icon, label, title: label });
    button.addEventListener('click', run);
    return button;
  }

  private async export(format: ExportParams['format']): Promise<void> {
    this.note.textContent = 'exporting…';
    try {
      const canvas = this.chart?.canvas;
      if (format === 'png' && !canvas) throw new Error('the chart has not been drawn yet');
      const dataUrl = format === 'png' && canvas ? pngOfChart(canvas, this.tag, this.lines, this.ctx.theme()) : undefined;
      const result = await this.ctx.exportTag({ format, tag: this.tag, ...(dataUrl ? { dataUrl } : {}) });
      this.note.textContent = 'cancelled' in result ? '' : `saved ${result.path}`;
    } catch (error) {
      this.note.textContent = `export failed: ${error instanceof Error ? error.message : String(error)}`;
      this.note.classList.add('error');
      return;
    }
    this.note.classList.remove('error');
  }
}
