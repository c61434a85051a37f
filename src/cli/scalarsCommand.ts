import { stat } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { readEventFile } from '../core/tfevents/read';
import type { Damage, ScalarSeries } from '../core/tfevents/types';
import { findEventFiles, sortEventFiles } from '../core/runs/layout';
import { mergeFiles } from '../core/runs/mergeSeries';
import { toCsvField } from './csv';
import { formatNumber, formatTable } from './table';
import { UsageError, type Io } from './usageError';

export const scalarsUsage = 'llava-studio scalars PATH... [--tag REGEX] [--json | --csv]';

interface FileReport {
  path: string;
  records: number;
  damage: Damage | null;
}

export interface ScalarsReport {
  files: FileReport[];
  /** Keyed `<run>/<tag>` as the CLI contract prints it. */
  series: Record<string, ScalarSeries>;
  /** The same lines with run and tag apart (both may contain '/'). */
  lines: { run: string; tag: string; line: ScalarSeries }[];
}

/** Deepest folder containing every path (files count as their folder). */
export function commonParent(folders: string[]): string {
  const split = folders.map((folder) => folder.split(sep));
  const first = split[0] ?? [];
  let depth = 0;
  while (depth < first.length && split.every((parts) => parts[depth] === first[depth])) depth++;
  return first.slice(0, depth).join(sep) || sep;
}

export async function collectScalars(paths: string[], tagFilter: RegExp | null): Promise<ScalarsReport> {
  const files: string[] = [];
  const bases: string[] = [];
  for (const raw of paths) {
    const path = resolve(raw);
    const info = await stat(path).catch(() => null);
    if (!info) throw new UsageError(`no such file or folder: ${raw}`);
    if (info.isDirectory()) {
      files.push(...await findEventFiles(path, 64));
      bases.push(path);
    } else {
      files.push(path);
      bases.push(dirname(path));
    }
  }
  const byFolder = new Map<string, string[]>();
  for (const file of sortEventFiles([...new Set(files)])) {
    const folder = dirname(file);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), file]);
  }
  const parent = commonParent(bases);
  const report: ScalarsReport = { files: [], series: {}, lines: [] };
  for (const [folder, folderFiles] of byFolder) {
    const run = byFolder.size === 1 ? '.' : relative(parent, folder) || '.';
    const perFile = [];
    for (const file of folderFiles) {
      const read = await readEventFile(file);
      report.files.push({ path: file, records: read.records, damage: read.damage });
      perFile.push(read.scalars);
    }
    for (const [tag, line] of mergeFiles(perFile)) {
      if (tagFilter && !tagFilter.test(tag)) continue;
      report.series[`${run}/${tag}`] = line;
      report.lines.push({ run, tag, line });
    }
  }
  return report;
}

export async function scalarsCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { tag: { type: 'string' }, json: { type: 'boolean' }, csv: { type: 'boolean' } },
  });
  if (positionals.length === 0) throw new UsageError(`usage: ${scalarsUsage}`);
  if (values.json && values.csv) throw new UsageError('choose one of --json and --csv');
  let tagFilter: RegExp | null = null;
  if (values.tag !== undefined) {
    try {
      tagFilter = new RegExp(values.tag);
    } catch (error) {
      throw new UsageError(`--tag is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  const report = await collectScalars(positionals, tagFilter);
  if (values.json) {
    io.out(JSON.stringify({ files: report.files, series: report.series }) + '\n');
  } else if (values.csv) {
    io.out('run,tag,step,wall_time,value\n');
    for (const { run: runName, tag: tagName, line } of report.lines) {
      const run = toCsvField(runName);
      const tag = toCsvField(tagName);
      const rows: string[] = [];
      for (let i = 0; i < line.step.length; i++) rows.push(`${run},${tag},${line.step[i]},${line.wall[i]},${line.value[i]}\n`);
      io.out(rows.join(''));
    }
  } else {
    const rows = Object.entries(report.series).map(([key, line]) => [
      key,
      String(line.step.length),
      line.step.length ? `${line.step[0]}–${line.step[line.step.length - 1]}` : '-',
      formatNumber(line.value[line.value.length - 1]),
    ]);
    io.out(formatTable(['series', 'points', 'steps', 'last value'], rows));
    for (const file of report.files) {
      if (file.damage) io.err(`warning: ${file.path} damaged at byte ${file.damage.offset}: ${file.damage.reason} (records before it are kept)\n`);
    }
  }
  return 0;
}
