// Thumbnail throughput on 48 COCO-sized (640×480) JPEGs: our ThumbnailCache with a cold disk cache
// against bare sharp decode+resize+encode of the same files at the same concurrency, and a fresh
// cache instance (nothing in memory) reading the warm disk cache.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { ThumbnailCache } from '../src/core/images/thumbnails';
import { noisyJpeg } from '../test/fixtures/datasets/badCorpus';

const DIR = path.resolve(__dirname, 'tmp', 'thumbnails-v1');
const CACHE = path.join(DIR, 'cache');
const COUNT = 48;
const CONCURRENCY = 4;
const ROUNDS = 5;

async function ensureImages(): Promise<string[]> {
  mkdirSync(DIR, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const file = path.join(DIR, `${String(i).padStart(4, '0')}.jpg`);
    if (!existsSync(file)) writeFileSync(file, await noisyJpeg(640, 480, i + 1));
    files.push(file);
  }
  return files;
}

/** Runs `task` over every file with at most CONCURRENCY in flight; returns images per second. */
async function throughput(files: string[], task: (file: string) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < files.length) await task(files[next++]!);
  }));
  return files.length / ((performance.now() - started) / 1000);
}

const bare = (file: string): Promise<Buffer> =>
  sharp(file).resize({ width: 160, height: 160, fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toBuffer();

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function run(): Promise<Record<string, number>> {
  const files = await ensureImages();
  await throughput(files, bare); // warm sharp and the page cache
  const bareRates: number[] = [];
  const coldRates: number[] = [];
  const hitRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bareRates.push(await throughput(files, bare));
    rmSync(CACHE, { recursive: true, force: true });
    const cold = new ThumbnailCache({ cacheDir: CACHE });
    coldRates.push(await throughput(files, (file) => cold.thumbnail({ path: file })));
    const fresh = new ThumbnailCache({ cacheDir: CACHE });
    hitRates.push(await throughput(files, async (file) => {
      if (!(await fresh.thumbnail({ path: file })).cached) throw new Error(`cache miss: ${file}`);
    }));
  }
  const bareRate = median(bareRates);
  const coldRate = median(coldRates);
  const hitRate = median(hitRates);
  return {
    vs_sharp_ratio: Math.round((coldRate / bareRate) * 1000) / 1000,
    cache_hit_speedup: Math.round((hitRate / coldRate) * 10) / 10,
    bare_sharp_per_s: Math.round(bareRate),
    cold_per_s: Math.round(coldRate),
    cache_hit_per_s: Math.round(hitRate),
  };
}
