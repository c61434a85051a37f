/**
 * Writes any dataset in the canonical messages-JSONL layout the Python trainer
 * (native-bin/llava_studio_worker) reads. One JSON object per line:
 *
 *   {"messages": [{"role": "system"|"user"|"assistant",
 *                  "content": [{"type": "text", "text": "..."}, {"type": "image"}, ...]}, ...],
 *    "images": ["relative/or/absolute/path", ...],
 *    "id": "..."}                       (id only when the source row has one)
 *
 * The k-th {"type": "image"} part, counting across all turns in order, is images[k]. Relative image
 * paths are relative to the output file's folder; images outside it are written absolute. Embedded
 * image bytes (parquet/arrow) are written to `<OUT>_images/<row>-<k>.<ext>` beside the output.
 * Rows that are not JSON and parts the trainer cannot use (video, audio, URLs) are left out and
 * reported; rows without turns are written with their images only, and reported. Nothing is
 * dropped silently. The output appears atomically:
 * everything is written under temporary names and renamed at the end.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { Dataset, DatasetRow, Problem } from './types';

export interface ConvertResult {
  rows: number;
  written: number;
  images: number;
  extractedImages: number;
  /** Rows left out and parts dropped, with why. */
  skipped: Problem[];
}

interface CanonicalPart { type: string; text?: string }

export async function convertToMessagesJsonl(
  dataset: Dataset,
  out: string,
  options: { signal?: AbortSignal; batchRows?: number; onProgress?: (rows: number) => void } = {},
): Promise<ConvertResult> {
  const target = resolve(out);
  const folder = dirname(target);
  const imagesName = `${basename(target)}_images`;
  const suffix = `.tmp-${process.pid}-${Date.now().toString(36)}`;
  const tempFile = target + suffix;
  const tempImages = join(folder, imagesName + suffix);
  const result: ConvertResult = { rows: 0, written: 0, images: 0, extractedImages: 0, skipped: [] };
  await refuseForeignImagesFolder(join(folder, imagesName));
  const stream = createWriteStream(tempFile, { encoding: 'utf8' });
  const streamFailed = new Promise<never>((_, reject) => stream.on('error', reject));
  streamFailed.catch(() => undefined);
  const write = (text: string): Promise<void> | void => {
    if (!stream.write(text)) return Promise.race([new Promise<void>((r) => stream.once('drain', () => r())), streamFailed]);
  };
  try {
    let next = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      const available = await dataset.waitForRows(next + (options.batchRows ?? 1024));
      if (available <= next) {
        if (!dataset.complete) await dataset.done;
        if (dataset.rowCount <= next) break;
        continue;
      }
      const rows = await dataset.rows(next, available);
      for (const row of rows) {
        const line = await canonicalLine(row, folder, imagesName, tempImages, result);
        if (line === null) continue;
        await write(line + '\n');
        result.written++;
      }
      next += rows.length;
      result.rows = next;
      options.onProgress?.(next);
    }
    await dataset.done;
    await new Promise<void>((done, fail) => stream.end((error?: Error | null) => (error ? fail(error) : done())));
    if (result.extractedImages > 0) await writeFile(join(tempImages, CONVERT_MARKER), 'written by llava-studio convert\n');
    await replaceOutputs(target, tempFile, join(folder, imagesName), result.extractedImages > 0 ? tempImages : null, suffix);
    return result;
  } catch (error) {
    stream.destroy();
    await rm(tempFile, { force: true });
    await rm(tempImages, { recursive: true, force: true });
    throw error;
  }
}

async function canonicalLine(row: DatasetRow, folder: string, imagesName: string, tempImages: string, result: ConvertResult): Promise<string | null> {
  const skip = (message: string): void => { result.skipped.push({ row: row.index, line: row.line, code: 'missing_field', message }); };
  const invalid = row.problems.find((p) => p.code === 'invalid_json');
  if (invalid) {
    result.skipped.push(invalid);
    return null;
  }
  if (row.messages.length === 0) {
    // Written anyway, so its images are not lost; validating the output flags it again.
    skip(`row has no turns, written with its images only: ${row.problems[0]?.message ?? 'empty conversation'}`);
  }
  const images: string[] = [];
  const messages = [];
  for (const message of row.messages) {
    const content: CanonicalPart[] = [];
    for (const part of message.content) {
      if (part.type === 'text') content.push({ type: 'text', text: part.text });
      else if (part.type === 'unsupported') {
        result.skipped.push({ row: row.index, line: row.line, code: 'unsupported_content', message: `${part.kind} part left out (${part.detail.slice(0, 80)})` });
      } else {
        const ref = row.images[part.image];
        const path = ref ? await imagePath(ref, row.index, images.length, folder, imagesName, tempImages, result) : null;
        if (ref && path === null) {
          result.skipped.push({ row: row.index, line: row.line, code: 'unsupported_content', message: `image ${part.image + 1} is a URL; left out` });
          continue;
        }
        content.push({ type: 'image' });
        if (path !== null) images.push(path);
      }
    }
    messages.push({ role: message.role, content });
  }
  // Images no marker refers to stay, at the end, so validating the output still shows the mismatch.
  const referenced = new Set(row.messages.flatMap((m) => m.content.flatMap((p) => (p.type === 'image' ? [p.image] : []))));
  for (let k = 0; k < row.images.length; k++) {
    if (referenced.has(k)) continue;
    const path = await imagePath(row.images[k]!, row.index, images.length, folder, imagesName, tempImages, result);
    if (path !== null) images.push(path);
  }
  result.images += images.length;
  return JSON.stringify(row.id === null ? { messages, images } : { messages, images, id: row.id });
}

async function imagePath(
  ref: DatasetRow['images'][number], row: number, k: number, folder: string, imagesName: string, tempImages: string, result: ConvertResult,
): Promise<string | null> {
  if (ref.kind === 'url') return null;
  if (ref.kind === 'file') {
    const rel = relative(folder, ref.path);
    return rel.startsWith('..') || resolve(folder, rel) !== ref.path ? ref.path : rel.split(sep).join('/');
  }
  if (!existsSync(tempImages)) await mkdir(tempImages, { recursive: true });
  const name = `${row}-${k}.${ref.ext}`;
  await writeFile(join(tempImages, name), ref.bytes);
  result.extractedImages++;
  return `${imagesName}/${name}`;
}

/** The output would overwrite something that is not ours: nothing was written. */
export class ConvertRefused extends Error {
  override name = 'ConvertRefused';
}

/** Marks an `<OUT>_images` folder as ours, so a later convert may replace it. */
const CONVERT_MARKER = '.llava-studio-convert';

async function refuseForeignImagesFolder(dir: string): Promise<void> {
  if (existsSync(dir) && !existsSync(join(dir, CONVERT_MARKER))) {
    throw new ConvertRefused(`refusing to replace ${dir}: it was not written by llava-studio convert; move it away or choose another output name`);
  }
}

/**
 * Puts the new JSONL (and images folder) in place without a moment where the old JSONL points at
 * deleted images: the old folder is moved aside first and removed only after both renames.
 */
async function replaceOutputs(target: string, tempFile: string, imagesDir: string, tempImages: string | null, suffix: string): Promise<void> {
  const aside = `${imagesDir}.old${suffix}`;
  const hadOld = tempImages !== null && existsSync(imagesDir);
  if (hadOld) await rename(imagesDir, aside);
  try {
    if (tempImages !== null) await rename(tempImages, imagesDir);
  } catch (error) {
    if (hadOld) await rename(aside, imagesDir).catch(() => undefined);
    throw error;
  }
  await rename(tempFile, target);
  if (hadOld) await rm(aside, { recursive: true, force: true });
}
