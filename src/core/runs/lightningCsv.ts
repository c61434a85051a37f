import type { ScalarSeries } from '../tfevents/types';

/** Columns of Lightning's CSVLogger that index the rows rather than measure anything. */
const INDEX_COLUMNS = new Set(['step', 'created_at']);

/** Python's float spellings that Number() does not read. */
const PYTHON_FLOATS: Record<string, number> = { nan: Number.NaN, inf: Infinity, '-inf': -Infinity };

/**
 * Lightning's CSVLogger `metrics.csv` (`lightning_logs/version_N/`): a header of metric names with a
 * `step` column, one row per logging call, empty cells for metrics not logged in that call. The
 * logger rewrites the whole file when a new metric appears, so it is read whole. Rows without a
 * step, cells that are not numbers and a half-written last line (no newline yet) are skipped. No
 * wall times: `wall` is NaN.
 */
export function lightningCsvSeries(text: string): Map<string, ScalarSeries> {
  const series = new Map<string, ScalarSeries>();
  const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  const lines = complete.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = lines[0] === undefined ? [] : csvCells(lines[0]);
  const stepColumn = header.indexOf('step');
  if (stepColumn < 0) return series;
  const columns = header.map((name, index) => ({ name, index })).filter((c) => !INDEX_COLUMNS.has(c.name) && c.name !== '');
  for (const line of lines.slice(1)) {
    const cells = csvCells(line);
    const step = numberOf(cells[stepColumn]);
    if (step === null || !Number.isFinite(step)) continue;
    for (const { name, index } of columns) {
      const value = numberOf(cells[index]);
      if (value === null) continue;
      let target = series.get(name);
      if (!target) series.set(name, (target = { step: [], wall: [], value: [] }));
      target.step.push(step);
      target.wall.push(Number.NaN);
      target.value.push(value);
    }
  }
  return series;
}

function numberOf(cell: string | undefined): number | null {
  if (cell === undefined) return null;
  const text = cell.trim();
  if (text === '') return null;
  const python = PYTHON_FLOATS[text.toLowerCase()];
  if (python !== undefined) return python;
  const value = Number(text);
  return Number.isNaN(value) ? null : value;
}

/** One CSV line (RFC 4180 quoting, as Python's csv module writes it). */
export function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}
