/** The raw points of one run of one tag, as exported. */
export interface ExportSeries {
  /** Column `run` in CSV, the key under `runs` in JSON. */
  run: string;
  step: ArrayLike<number>;
  wall: ArrayLike<number>;
  value: ArrayLike<number>;
}

export const CSV_HEADER = 'run,tag,step,wall_time,value';

/** RFC 4180 field: quoted (quotes doubled) when it holds a comma, quote, CR or LF. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Shortest round-trip decimal; non-finite values in the spelling pandas and numpy read back. */
export function csvNumber(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}

/** `run,tag,step,wall_time,value` rows of every point of every run, in the runs' order. */
export function scalarsToCsv(tag: string, series: readonly ExportSeries[]): string {
  const tagField = csvField(tag);
  const lines = [CSV_HEADER];
  for (const s of series) {
    const runField = csvField(s.run);
    const n = Math.min(s.step.length, s.wall.length, s.value.length);
    for (let i = 0; i < n; i++) {
      lines.push(`${runField},${tagField},${csvNumber(s.step[i]!)},${csvNumber(s.wall[i]!)},${csvNumber(s.value[i]!)}`);
    }
  }
  return lines.join('\n') + '\n';
}

export interface ScalarsJson {
  tag: string;
  runs: Record<string, { step: number[]; wall: number[]; value: (number | null)[] }>;
}

/** `{tag, runs: {run: {step, wall, value}}}`; NaN and ±Infinity become null (JSON has no spelling for them). */
export function scalarsToJson(tag: string, series: readonly ExportSeries[]): string {
  const out: ScalarsJson = { tag, runs: {} };
  for (const s of series) {
    const n = Math.min(s.step.length, s.wall.length, s.value.length);
    const entry = { step: new Array<number>(n), wall: new Array<number>(n), value: new Array<number | null>(n) };
    for (let i = 0; i < n; i++) {
      entry.step[i] = s.step[i]!;
      entry.wall[i] = s.wall[i]!;
      const v = s.value[i]!;
      entry.value[i] = Number.isFinite(v) ? v : null;
    }
    out.runs[s.run] = entry;
  }
  return JSON.stringify(out);
}

/** Default export file name: the tag with `/` (and characters no file system accepts) as `_`. */
export function exportFileName(tag: string, extension: 'csv' | 'json' | 'png'): string {
  const base = tag.replace(/[/\\:*?"<>|\x00-\x1f]/g, '_').replace(/^\.+/, '_').slice(0, 200) || 'scalars';
  return `${base}.${extension}`;
}

/** Labels for export: run names, or the run id where two runs share a name (JSON keys must differ). */
export function exportLabels(runs: readonly { id: string; name: string }[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
  return new Map(runs.map((r) => [r.id, (counts.get(r.name) ?? 0) > 1 ? r.id : r.name]));
}
