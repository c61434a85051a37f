import { nearestIndex } from '../../src/core/scalars/align';
import type { XMap } from '../../src/core/scalars/downsample';
import { formatDuration, formatValue } from '../../src/core/scalars/format';
import type { XAxis } from '../../src/protocol/scalars';
import { h } from '../common/dom';

const TIME = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** One run at the hovered x: its raw columns (full resolution) and smoothed values. */
export interface TooltipLine {
  name: string;
  color: string;
  step: Float64Array;
  wall: Float64Array;
  value: Float64Array;
  smoothed: Float64Array | null;
  xMap: XMap;
}

export interface TooltipRow {
  name: string;
  color: string;
  smoothed: number | null;
  value: number;
  step: number;
  wall: number;
  relative: number;
}

/** For every line, the point nearest the hovered (drawn) x, read from the raw data, not the drawn points. */
export function rowsAt(lines: readonly TooltipLine[], x: number, xAxis: XAxis): TooltipRow[] {
  const rows: TooltipRow[] = [];
  for (const line of lines) {
    const xs = xAxis === 'step' ? line.step : line.wall;
    const i = nearestIndex(xs, x, line.xMap);
    if (i < 0) continue;
    rows.push({
      name: line.name,
      color: line.color,
      smoothed: line.smoothed ? line.smoothed[i]! : null,
      value: line.value[i]!,
      step: line.step[i]!,
      wall: line.wall[i]!,
      relative: line.wall[i]! - (line.wall[0] ?? 0),
    });
  }
  return rows;
}

/** A floating table like TensorBoard's: run, smoothed, value, step, time, relative. Text only. */
export class Tooltip {
  readonly el = h('div', { class: 'tooltip', role: 'tooltip', hidden: true });

  constructor() {
    document.body.append(this.el);
  }

  show(rows: readonly TooltipRow[], anchor: { x: number; y: number }): void {
    if (rows.length === 0) return this.hide();
    const smoothing = rows.some((r) => r.smoothed !== null);
    const head = h('tr', {}, h('th', {}, 'Run'), smoothing ? h('th', {}, 'Smoothed') : null, h('th', {}, 'Value'), h('th', {}, 'Step'), h('th', {}, 'Time'), h('th', {}, 'Relative'));
    const body = rows.map((r) => {
      const swatch = h('span', { class: 'swatch' });
      swatch.style.backgroundColor = r.color;
      return h('tr', {},
        h('td', { class: 'run' }, swatch, r.name),
        smoothing ? h('td', { class: 'num' }, r.smoothed === null ? '' : formatValue(r.smoothed)) : null,
        h('td', { class: 'num' }, formatValue(r.value)),
        h('td', { class: 'num' }, r.step.toLocaleString()),
        h('td', { class: 'num' }, TIME.format(new Date(r.wall * 1000))),
        h('td', { class: 'num' }, formatDuration(r.relative)));
    });
    this.el.replaceChildren(h('table', {}, h('thead', {}, head), h('tbody', {}, ...body)));
    this.el.hidden = false;
    const { innerWidth, innerHeight } = window;
    const rect = this.el.getBoundingClientRect();
    let left = anchor.x + 16;
    if (left + rect.width > innerWidth - 4) left = Math.max(4, anchor.x - 16 - rect.width);
    let top = anchor.y + 16;
    if (top + rect.height > innerHeight - 4) top = Math.max(4, anchor.y - 16 - rect.height);
    this.el.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
  }

  hide(): void {
    this.el.hidden = true;
  }
}

/** One sentence per run for screen readers when the chart is read with the keyboard. */
export function describeRows(rows: readonly TooltipRow[]): string {
  return rows.map((r) => `${r.name}: step ${r.step}, value ${formatValue(r.value)}${r.smoothed === null ? '' : `, smoothed ${formatValue(r.smoothed)}`}`).join('; ');
}
