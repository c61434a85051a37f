import uPlot from 'uplot';
import type { CardData } from '../../src/core/scalars/cardData';
import { formatStep, formatValue } from '../../src/core/scalars/format';
import { niceLogRange, paddedRange, type YRange } from '../../src/core/scalars/outliers';
import type { XAxis } from '../../src/protocol/scalars';
import { withAlpha, type Theme } from '../common/theme';

export interface ChartLine {
  name: string;
  color: string;
}

export interface ChartInput {
  data: CardData;
  lines: ChartLine[];
  xAxis: XAxis;
  log: boolean;
  smoothing: boolean;
  /** Fixed y-range (ignore outliers), already padded; null lets the chart fit the visible data. */
  yRange: YRange | null;
  /** Zoomed x-range to keep after new data; null shows everything. */
  zoom: { from: number; to: number } | null;
}

export interface ChartEvents {
  /** The user zoomed (drag) or reset the zoom (double-click). */
  zoom(range: { from: number; to: number } | null): void;
  /** The cursor moved (left/top in CSS px inside the plot area) or left the plot (null). */
  cursor(at: { left: number; top: number; x: number } | null): void;
}

/** One card's uPlot instance: rebuilt when the series layout changes, otherwise fed new data. */
export class TagChart {
  private plot: uPlot | null = null;
  private shapeKey = '';
  private yRange: YRange | null = null;
  private log = false;
  private zoom: { from: number; to: number } | null = null;

  constructor(private readonly host: HTMLElement, private readonly events: ChartEvents) {}

  get canvas(): HTMLCanvasElement | null {
    return this.plot?.ctx.canvas ?? null;
  }

  get instance(): uPlot | null {
    return this.plot;
  }

  render(input: ChartInput, theme: Theme, size: { width: number; height: number }): void {
    this.yRange = input.yRange;
    this.log = input.log;
    this.zoom = input.zoom;
    const data = input.data.columns as unknown as uPlot.AlignedData;
    const key = shapeKey(input, theme);
    if (this.plot && key === this.shapeKey) {
      const plot = this.plot;
      if (plot.width !== size.width || plot.height !== size.height) plot.setSize(size);
      plot.batch(() => {
        plot.setData(data, input.zoom === null);
        if (input.zoom) plot.setScale('x', { min: input.zoom.from, max: input.zoom.to });
      });
      return;
    }
    this.plot?.destroy();
    this.shapeKey = key;
    this.plot = new uPlot(this.options(input, theme, size), data, this.host);
    if (input.zoom) this.plot.setScale('x', { min: input.zoom.from, max: input.zoom.to });
  }

  setSize(size: { width: number; height: number }): void {
    this.plot?.setSize(size);
  }

  /** Moves the cursor by `dx` CSS px (keyboard reading of the chart). */
  nudgeCursor(dx: number): void {
    const plot = this.plot;
    if (!plot) return;
    const width = plot.over.clientWidth;
    const left = plot.cursor.left !== undefined && plot.cursor.left >= 0 ? plot.cursor.left : dx < 0 ? width : 0;
    plot.setCursor({ left: Math.max(0, Math.min(width - 1, left + dx)), top: plot.over.clientHeight / 2 });
  }

  hideCursor(): void {
    this.plot?.setCursor({ left: -10, top: -10 });
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = null;
    this.shapeKey = '';
  }

  private options(input: ChartInput, theme: Theme, size: { width: number; height: number }): uPlot.Options {
    const hc = theme.kind.startsWith('high-contrast');
    const font = `${Math.max(10, theme.fontSize - 2)}px ${theme.fontFamily}`;
    const series: uPlot.Series[] = [{}];
    const bands: uPlot.Band[] = [];
    const main = new Set<number>();
    const colorOf = new Map<number, string>();
    input.data.slots.forEach((slot, i) => {
      const color = input.lines[i]!.color;
      const hasSmooth = slot.smooth >= 0;
      if (slot.lo >= 0) {
        colorOf.set(slot.lo, color).set(slot.hi, color);
        bands.push({ series: [slot.hi, slot.lo], fill: withAlpha(color, hc ? 0.3 : 0.16) });
      }
      colorOf.set(slot.raw, color);
      if (hasSmooth) colorOf.set(slot.smooth, color);
      main.add(hasSmooth ? slot.smooth : slot.raw);
    });
    const slotKind = new Map<number, 'band' | 'raw' | 'smooth'>();
    for (const slot of input.data.slots) {
      if (slot.lo >= 0) slotKind.set(slot.lo, 'band').set(slot.hi, 'band');
      slotKind.set(slot.raw, 'raw');
      if (slot.smooth >= 0) slotKind.set(slot.smooth, 'smooth');
    }
    for (let c = 1; c < input.data.columns.length; c++) {
      const color = colorOf.get(c) ?? theme.foreground;
      const kind = slotKind.get(c);
      if (kind === 'band') {
        series.push({ stroke: 'transparent', width: 0, points: { show: false } });
      } else if (kind === 'raw' && input.smoothing) {
        const banded = input.data.slots.some((s) => s.raw === c && s.lo >= 0);
        series.push({ show: !banded, stroke: withAlpha(color, hc ? 0.45 : 0.22), width: 1, points: { show: false } });
      } else {
        series.push({ stroke: color, width: hc ? 2.5 : input.smoothing ? 2 : 1.5, points: { size: 5, fill: color } });
      }
    }
    const axis = (values: uPlot.Axis.Values | undefined): uPlot.Axis => ({
      stroke: theme.muted,
      font,
      grid: { stroke: theme.grid, width: 1 },
      ticks: { stroke: theme.grid, width: 1, size: 4 },
      ...(values ? { values } : {}),
    });
    const suffix = input.data.relativeUnit.suffix;
    const xValues: uPlot.Axis.Values | undefined =
      input.xAxis === 'step' ? (_u, splits) => splits.map(formatStep)
      : input.xAxis === 'relative' ? (_u, splits) => splits.map((v) => `${formatStep(v)}${suffix}`)
      : undefined;
    return {
      width: size.width,
      height: size.height,
      padding: [10, 14, 0, 0],
      legend: { show: false },
      series,
      bands,
      scales: {
        x: { time: input.xAxis === 'wall' },
        y: {
          distr: input.log ? 3 : 1,
          log: 10,
          range: (_u, min, max) => {
            let r: YRange;
            if (this.yRange) r = this.yRange;
            else if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) r = this.log ? { min: 0.1, max: 10 } : { min: 0, max: 1 };
            else r = paddedRange({ min, max }, this.log);
            // Log splits start at the scale's minimum: snap it to a round value so the first label is one.
            if (this.log) r = niceLogRange(r);
            return [r.min, r.max];
          },
        },
      },
      axes: [
        { ...axis(xValues), space: 70 },
        {
          ...axis((_u, splits) => splits.map(formatValue)),
          ...(input.log ? { grid: { stroke: theme.grid, width: 1, filter: decadesWhenDense }, ticks: { stroke: theme.grid, width: 1, size: 4, filter: decadesWhenDense } } : {}),
          space: 28,
          size: (self, values) => {
            if (!values) return 48;
            self.ctx.font = font;
            const widest = Math.max(0, ...values.map((v) => self.ctx.measureText(v).width / devicePixelRatio));
            return Math.ceil(widest) + 16;
          },
        },
      ],
      cursor: {
        drag: { x: true, y: false, setScale: true },
        points: {
          size: (_u, si) => (main.has(si) ? 7 : 0),
          width: 1.5,
          fill: (_u, si) => colorOf.get(si) ?? theme.foreground,
          stroke: theme.background,
        },
        focus: { prox: -1 },
      },
      hooks: {
        setCursor: [(u) => {
          const left = u.cursor.left ?? -1;
          const top = u.cursor.top ?? -1;
          this.events.cursor(left >= 0 && top >= 0 ? { left, top, x: u.posToVal(left, 'x') } : null);
        }],
        setScale: [(u, key) => { if (key === 'x') this.checkZoom(u); }],
      },
    };
  }

  /** Tells zoom from reset by comparing the x scale with the data's full extent (first/last points are always drawn). */
  private checkZoom(u: uPlot): void {
    const xs = u.data[0];
    const { min, max } = u.scales.x ?? {};
    if (!xs || xs.length === 0 || min === undefined || max === undefined || min === null || max === null) return;
    const first = xs[0]!;
    const last = xs[xs.length - 1]!;
    const eps = Math.max(1e-9, (last - first) * 1e-9);
    const full = min <= first + eps && max >= last - eps;
    const next = full ? null : { from: min, to: max };
    const same = next === null ? this.zoom === null
      : this.zoom !== null && Math.abs(this.zoom.from - next.from) <= eps && Math.abs(this.zoom.to - next.to) <= eps;
    if (same) return;
    this.zoom = next;
    this.events.zoom(next);
  }
}

/** On a log axis spanning several decades, grid lines at 2×, 3×… 9× turn into noise: keep decades only. */
function decadesWhenDense(u: uPlot, splits: number[]): (number | null)[] {
  const { min, max } = u.scales.y ?? {};
  if (!min || !max || min <= 0 || Math.log10(max / min) < 3) return splits;
  return splits.map((v) => (Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9 ? v : null));
}

/** What the uPlot options depend on: when it changes the chart is rebuilt, otherwise only fed data. */
function shapeKey(input: ChartInput, theme: Theme): string {
  return JSON.stringify([
    input.data.columns.length, input.data.slots, input.lines.map((l) => l.color), input.xAxis, input.log,
    input.smoothing, input.data.relativeUnit.suffix, theme,
  ]);
}
