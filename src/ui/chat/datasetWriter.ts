/**
 * "Add to dataset": appends one chat turn to a messages-JSONL training file in the canonical format
 *   {"messages":[{"role":"user","content":[{"type":"image"},{"type":"text","text":…}]},
 *                {"role":"assistant","content":[{"type":"text","text":…}]}],"images":["images/x.png"]}
 * Nothing already there is ever rewritten: the line is appended with O_APPEND (after repairing a
 * missing final newline), and images from outside the dataset folder are copied into `images/` under
 * a name carrying their content hash, with an exclusive create.
 */
import { createReadStream } from 'node:fs';
import { constants, copyFile, mkdir, open, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import { isInside, sha256 } from './imageFiles';

export interface DatasetSample {
  prompt: string;
  answer: string;
  /** Absolute paths of the images shown with the prompt, in order. */
  images: string[];
}

export interface AppendResult {
  /** 1-based line number of the new record (null when the file was too big to count quickly). */
  line: number | null;
  /** The `images` entries as written (relative to the dataset folder, `/`-separated). */
  images: string[];
  /** Absolute paths of image files this call created. */
  copied: string[];
}

const COUNT_LIMIT = 512 * 1024 * 1024;
const FIRST_LINE_LIMIT = 4 * 1024 * 1024;

export function sampleRecord(sample: DatasetSample, imagePaths: string[]): Record<string, unknown> {
  return {
    messages: [
      { role: 'user', content: [...imagePaths.map(() => ({ type: 'image' })), { type: 'text', text: sample.prompt }] },
      { role: 'assistant', content: [{ type: 'text', text: sample.answer }] },
    ],
    images: imagePaths,
  };
}

/** Refuses to append to a file whose first record is not a messages record (another format, or not JSONL). */
async function checkFormat(file: string): Promise<void> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (!handle) return;
  try {
    const buffer = Buffer.alloc(FIRST_LINE_LIMIT);
    const { bytesRead } = await handle.read(buffer, 0, FIRST_LINE_LIMIT, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    const first = text.split('\n').find((l) => l.trim() !== '');
    if (first === undefined) return;
    if (!text.includes('\n') && bytesRead === FIRST_LINE_LIMIT) return; // a first line over 4 MB: not worth judging
    let value: unknown;
    try {
      value = JSON.parse(first);
    } catch {
      throw new Error(`${file} line 1 is not JSON: this does not look like a messages JSONL file; pick another file`);
    }
    if (typeof value !== 'object' || value === null || !Array.isArray((value as { messages?: unknown }).messages)) {
      throw new Error(`${file} line 1 has no "messages" array: it is not a messages JSONL file; pick another file`);
    }
  } finally {
    await handle.close();
  }
}

async function countNewlines(file: string): Promise<number> {
  let count = 0;
  for await (const chunk of createReadStream(file)) {
    const bytes = chunk as Buffer;
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) count++;
  }
  return count;
}

async function sameContent(a: string, hash: string): Promise<boolean> {
  return sha256(await readFile(a)) === hash;
}

/**
 * Where an image goes in the record: its path relative to the dataset folder when it already lies
 * inside it, else a copy in `<dataset>/images/<name>-<hash12><ext>` (an identical file there is reused;
 * a different one with that name gets `-1`, `-2`… — never overwritten).
 */
async function placeImage(datasetDir: string, image: string, copied: string[]): Promise<string> {
  const real = await realpath(image);
  const realDir = await realpath(datasetDir);
  if (isInside(realDir, real)) return relative(realDir, real).split(sep).join('/');
  const bytes = await readFile(real);
  const hash = sha256(bytes);
  const ext = extname(real).toLowerCase() || '.png';
  const stem = basename(real, extname(real)).replace(/[^\w.-]+/g, '_').slice(0, 80) || 'image';
  const folder = join(datasetDir, 'images');
  await mkdir(folder, { recursive: true });
  for (let n = 0; n < 1000; n++) {
    const name = `${stem}-${hash.slice(0, 12)}${n ? `-${n}` : ''}${ext}`;
    const target = join(folder, name);
    try {
      await copyFile(real, target, constants.COPYFILE_EXCL);
      copied.push(target);
      return `images/${name}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await sameContent(target, hash)) return `images/${name}`;
    }
  }
  throw new Error(`cannot find a free name for ${real} in ${folder}`);
}

export async function appendToDataset(jsonlPath: string, sample: DatasetSample): Promise<AppendResult> {
  if (!jsonlPath.endsWith('.jsonl')) throw new Error(`dataset file must end in .jsonl: ${jsonlPath}`);
  await checkFormat(jsonlPath);
  const datasetDir = dirname(jsonlPath);
  await mkdir(datasetDir, { recursive: true });
  const copied: string[] = [];
  const images: string[] = [];
  for (const image of sample.images) images.push(await placeImage(datasetDir, image, copied));
  const line = JSON.stringify(sampleRecord(sample, images));

  // a+: O_APPEND|O_CREAT, readable so the last byte can be checked; every write lands at the end.
  const handle = await open(jsonlPath, 'a+');
  let lineNumber: number | null = null;
  try {
    const { size } = await handle.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    if (size <= COUNT_LIMIT) lineNumber = (size === 0 ? 0 : await countNewlines(jsonlPath)) + (prefix ? 1 : 0) + 1;
    await handle.write(`${prefix}${line}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { line: lineNumber, images, copied };
}
