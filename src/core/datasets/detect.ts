/**
 * What a path holds: a JSON array, JSON Lines, Hub parquet shards, or a `save_to_disk` folder
 * (Dataset or DatasetDict). Decided from names and the first bytes; the row schema (LLaVA
 * conversations vs messages) is refined from the first row once it is read.
 */
import { existsSync } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { DatasetError, type DatasetFormat } from './types';

export interface DetectedSource {
  format: DatasetFormat;
  /** The file (JSON/JSONL) or the shard files of the chosen split (parquet/arrow). */
  files: string[];
  splits: string[];
  split: string | null;
  /** Default image root: the folder holding the data. */
  folder: string;
}

const SHARD = /^(.*?)[-_](\d+)-of-(\d+)\.(parquet|arrow)$/;

async function readJson(path: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new DatasetError(`cannot read ${basename(path)}: ${(error as Error).message}`, path, null);
  }
}

function pickSplit(splits: string[], wanted: string | undefined, where: string): string {
  if (wanted !== undefined) {
    if (!splits.includes(wanted)) throw new DatasetError(`no split '${wanted}' in ${where} (splits: ${splits.join(', ')})`, where, null);
    return wanted;
  }
  return splits.includes('train') ? 'train' : splits[0]!;
}

/** A save_to_disk Dataset folder: data files listed in state.json (else every *.arrow, sorted). */
async function arrowFolder(folder: string): Promise<string[]> {
  const statePath = join(folder, 'state.json');
  if (existsSync(statePath)) {
    const state = await readJson(statePath);
    const files = (state._data_files as { filename?: string }[] | undefined)?.map((f) => f.filename).filter((f): f is string => !!f) ?? [];
    if (files.length > 0) return files.map((f) => join(folder, f));
  }
  const files = (await readdir(folder)).filter((f) => f.endsWith('.arrow')).sort();
  if (files.length === 0) throw new DatasetError(`no data-*.arrow files in ${folder}`, folder, null);
  return files.map((f) => join(folder, f));
}

/** Parquet files up to three levels down, grouped by split (file prefix `train-…`, or folder name). */
async function parquetSplits(folder: string): Promise<Map<string, string[]>> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const splits = new Map<string, string[]>();
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.parquet')) continue;
    const full = join(entry.parentPath, entry.name);
    if (relative(folder, full).split(/[\\/]/).length > 4) continue;
    const shard = SHARD.exec(entry.name);
    const split = shard ? shard[1]! : /^\d+$/.test(entry.name.replace(/\.parquet$/, '')) ? basename(entry.parentPath) : entry.name.replace(/\.parquet$/, '');
    splits.set(split, [...(splits.get(split) ?? []), full]);
  }
  for (const files of splits.values()) files.sort();
  return splits;
}

async function detectFolder(folder: string, format: DatasetFormat | undefined, split: string | undefined): Promise<DetectedSource> {
  const dictPath = join(folder, 'dataset_dict.json');
  if (existsSync(dictPath) && format !== 'hf-parquet') {
    const splits = ((await readJson(dictPath)).splits as string[] | undefined) ?? [];
    if (splits.length === 0) throw new DatasetError(`dataset_dict.json lists no splits (${folder})`, dictPath, null);
    const chosen = pickSplit(splits, split, folder);
    return { format: 'hf-arrow', files: await arrowFolder(join(folder, chosen)), splits, split: chosen, folder: join(folder, chosen) };
  }
  const names = await readdir(folder);
  if (format !== 'hf-parquet' && (names.includes('state.json') || names.some((n) => n.endsWith('.arrow')))) {
    return { format: 'hf-arrow', files: await arrowFolder(folder), splits: [], split: null, folder };
  }
  const parquet = await parquetSplits(folder);
  if (parquet.size > 0) {
    const splits = [...parquet.keys()].sort();
    const chosen = pickSplit(splits, split, folder);
    const files = parquet.get(chosen)!;
    return { format: 'hf-parquet', files, splits, split: chosen, folder: dirname(files[0]!) };
  }
  throw new DatasetError(`no dataset in folder ${folder}: expected dataset_dict.json, state.json + data-*.arrow, or *.parquet files (for a JSON file, open the file itself)`, folder, null);
}

/** First non-whitespace byte, and whether the first line is a complete JSON value. */
async function sniffJson(path: string): Promise<{ first: string; firstLineIsJson: boolean }> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    const first = text.trimStart().charAt(0);
    const newline = text.indexOf('\n', text.length - text.trimStart().length);
    const firstLine = newline < 0 ? text : text.slice(0, newline);
    let firstLineIsJson = false;
    try { JSON.parse(firstLine); firstLineIsJson = true; } catch { /* not JSON Lines */ }
    return { first, firstLineIsJson };
  } finally {
    await handle.close();
  }
}

async function detectFile(file: string, format: DatasetFormat | undefined, split: string | undefined): Promise<DetectedSource> {
  const folder = dirname(file);
  const name = basename(file);
  const lower = name.toLowerCase();
  const single = (f: DatasetFormat): DetectedSource => ({ format: f, files: [file], splits: [], split: null, folder });
  if (format === 'hf-parquet' || (!format && lower.endsWith('.parquet'))) {
    const shard = SHARD.exec(name);
    if (!shard) return single('hf-parquet');
    // The other shards of this split sit beside it: train-00000-of-00003.parquet …
    const siblings = (await readdir(folder)).filter((n) => { const m = SHARD.exec(n); return m && m[1] === shard[1] && m[3] === shard[3] && m[4] === shard[4]; }).sort();
    return { format: 'hf-parquet', files: siblings.map((n) => join(folder, n)), splits: [shard[1]!], split: split ?? shard[1]!, folder };
  }
  if (format === 'hf-arrow' || (!format && lower.endsWith('.arrow'))) {
    const files = existsSync(join(folder, 'state.json')) ? await arrowFolder(folder) : [file];
    return { format: 'hf-arrow', files, splits: [], split: null, folder };
  }
  if (format) return single(format);
  if (/\.(jsonl|ndjson)$/.test(lower)) return single('messages-jsonl');
  const sniff = await sniffJson(file);
  if (sniff.first === '{' && sniff.firstLineIsJson) return single('messages-jsonl');
  return single('messages-json');
}

export async function detectSource(path: string, format?: DatasetFormat, split?: string): Promise<DetectedSource> {
  const full = resolve(path);
  const info = await stat(full).catch(() => null);
  if (!info) throw new DatasetError(`no such file or folder: ${path}`, full, null);
  return info.isDirectory() ? detectFolder(full, format, split) : detectFile(full, format, split);
}

/** The schema half of the format name, from the first row's keys. */
export function refineJsonFormat(format: DatasetFormat, firstRow: unknown): DatasetFormat {
  if (!firstRow || typeof firstRow !== 'object') return format;
  const container = format.endsWith('-jsonl') ? 'jsonl' : 'json';
  const record = firstRow as Record<string, unknown>;
  const llava = 'conversations' in record && !('messages' in record);
  return `${llava ? 'llava' : 'messages'}-${container}` as DatasetFormat;
}
