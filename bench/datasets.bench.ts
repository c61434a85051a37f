// Dataset index on a generated 1 GB LLaVA-mix-shaped JSON array (≈ 665k rows, like
// llava_v1_5_mix665k.json): time to the first page, full index throughput against plain chunked reads
// of the same file (same chunk size, same FileHandle.read path), and peak RSS while indexing.
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_CHUNK_BYTES } from '../src/core/datasets/index/scanFile';
import { openDataset } from '../src/core/datasets/openDataset';
import { writeLlavaJson } from '../test/fixtures/datasets/llavaCorpus';

const TARGET_BYTES = 1 << 30;
const ROUNDS = 5;
const PAGE = 50;
/** Bump when the generated content changes, so a cached file from an older shape is not reused. */
const SHAPE_VERSION = 2;
const FILE = path.resolve(__dirname, 'tmp', `datasets-v${SHAPE_VERSION}`, 'llava_mix_1gb.json');

function ensureFile(): number {
  if (!existsSync(FILE)) {
    mkdirSync(path.dirname(FILE), { recursive: true });
    writeLlavaJson(FILE + '.partial', TARGET_BYTES);
    renameSync(FILE + '.partial', FILE);
  }
  return statSync(FILE).size;
}

async function rawRead(): Promise<void> {
  const handle = await open(FILE, 'r');
  try {
    const size = (await handle.stat()).size;
    const buffer = Buffer.allocUnsafe(DEFAULT_CHUNK_BYTES);
    for (let position = 0; position < size;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

async function fullIndex(): Promise<number> {
  const dataset = await openDataset(FILE, { imageRoot: path.dirname(FILE) });
  const rows = await dataset.done;
  await dataset.close();
  return rows;
}

async function time(task: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await task();
  return performance.now() - started;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round3 = (value: number): number => Math.round(value * 1000) / 1000;

export async function run(): Promise<Record<string, number>> {
  const size = ensureFile();
  const megabytes = size / 2 ** 20;
  await rawRead(); // warm the page cache for both measurements alike

  // First page and peak memory, on the first open of this process.
  (globalThis as { gc?: () => void }).gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sample = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 10);
  const started = performance.now();
  const dataset = await openDataset(FILE, { imageRoot: path.dirname(FILE), onProgress: () => { peak = Math.max(peak, process.memoryUsage().rss); } });
  const page = await dataset.rows(0, PAGE);
  const firstPageMs = performance.now() - started;
  if (page.length !== PAGE) throw new Error(`first page has ${page.length} rows`);
  const rows = await dataset.done;
  const middle = await dataset.rows(Math.floor(rows / 2), Math.floor(rows / 2) + PAGE);
  if (middle.length !== PAGE) throw new Error('middle page missing');
  clearInterval(sample);
  peak = Math.max(peak, process.memoryUsage().rss);
  await dataset.close();

  const rawMs: number[] = [];
  const indexMs: number[] = [];
  // Alternate so page-cache and CPU-frequency drift hit both measurements alike.
  for (let round = 0; round < ROUNDS; round++) {
    rawMs.push(await time(rawRead));
    indexMs.push(await time(fullIndex));
  }
  const rawMbPerS = megabytes / (median(rawMs) / 1000);
  const indexMbPerS = megabytes / (median(indexMs) / 1000);
  return {
    first_page_ms: round3(firstPageMs),
    index_vs_raw_ratio: round3(indexMbPerS / rawMbPerS),
    peak_rss_mb: round3((peak - baseline) / 2 ** 20),
    index_mb_per_s: round3(indexMbPerS),
    raw_mb_per_s: round3(rawMbPerS),
    rows,
    file_mb: round3(megabytes),
  };
}
