// Chat core: preparation overhead before the first model call, time to first token, decode speed,
// and whether an idle model really leaves memory. Runs on the tiny-llava fixture (so it measures
// our overhead, not a real model's compute). Targets: preprocess_ms ≤ 50 for a 4000×3000 JPEG.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { collectAnswer } from '../src/core/chat/answerMeter';
import { newOnnxModelCache, OnnxBackend } from '../src/core/chat/onnxBackend';
import type { ChatMessage } from '../src/core/chat/types';

const fixture = join(__dirname, '../test/fixtures/tiny-llava/model');
const tmp = join(__dirname, 'tmp', 'chat');
const ask: ChatMessage[] = [{ role: 'user', content: [{ type: 'image', index: 0 }, { type: 'text', text: 'Describe this photo.' }] }];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rssMb = () => process.memoryUsage().rss / 2 ** 20;
const settle = async (ms: number) => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  (globalThis as { gc?: () => void }).gc?.();
};

/** A 12-MP photo-like JPEG (smooth gradients + texture), made once. */
async function bigJpeg(): Promise<string> {
  const path = join(tmp, 'photo-4000x3000.jpg');
  if (existsSync(path)) return path;
  const sharp = (await import('sharp')).default;
  const width = 4000;
  const height = 3000;
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 255) / width;
      data[i + 1] = (y * 255) / height;
      data[i + 2] = ((x ^ y) & 0xff) >> 1;
    }
  }
  await sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toFile(path);
  return path;
}

export async function run(): Promise<Record<string, number>> {
  mkdirSync(tmp, { recursive: true });
  // A copy of the fixture with a 256 MB embedding table, written by a child process so that its
  // encoding buffers never count in this process's RSS.
  const heavy = join(tmp, 'heavy-llava');
  if (!existsSync(join(heavy, 'onnx', 'embed_tokens.onnx'))) {
    const made = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '../test/fixtures/tiny-llava/generate.ts'), heavy, '--embed-rows', '4194304'], { stdio: 'inherit' });
    if (made.status !== 0) throw new Error('could not generate the heavy fixture');
  }
  const photo = await bigJpeg();
  const image = [{ kind: 'file' as const, path: photo }];

  // Overhead and TTFT with the model resident (warm): the median of 15 answers.
  const cache = newOnnxModelCache({ idleMs: 60_000 });
  const backend = new OnnxBackend({ kind: 'onnx', modelDir: fixture }, { cache });
  const coldStarted = performance.now();
  const cold = await collectAnswer(backend.stream(ask, image, { maxNewTokens: 8 }));
  const coldMs = performance.now() - coldStarted;
  const pre: number[] = [];
  const ttft: number[] = [];
  const fraction: number[] = [];
  for (let i = 0; i < 15; i++) {
    const answer = await collectAnswer(backend.stream(ask, image, { maxNewTokens: 8 }));
    pre.push(answer.preprocess_ms!);
    ttft.push(answer.ttft_ms);
    fraction.push(answer.preprocess_ms! / answer.ttft_ms);
  }
  const decode = await collectAnswer(backend.stream(ask, image, { maxNewTokens: 300, ignoreEos: true }));
  await cache.unload();

  // Memory: the heavy copy loaded, answered once, then left idle until the timer unloads it.
  await settle(200);
  const rssBefore = rssMb();
  const heavyCache = newOnnxModelCache({ idleMs: 300 });
  const heavyBackend = new OnnxBackend({ kind: 'onnx', modelDir: heavy }, { cache: heavyCache });
  const heavyAnswer = await collectAnswer(heavyBackend.stream(ask, image, { maxNewTokens: 8 }));
  if (!heavyAnswer.text.startsWith('the image is')) throw new Error(`heavy fixture answered ${heavyAnswer.text}`);
  await settle(50);
  const rssLoaded = rssMb();
  await settle(1000); // the idle timer (300 ms) unloads it
  if (heavyCache.residentKey !== null) throw new Error('the idle model was not unloaded');
  const rssAfter = rssMb();

  return {
    preprocess_ms: median(pre),
    ttft_ms: median(ttft),
    preprocess_fraction_of_ttft: median(fraction),
    cold_first_answer_ms: coldMs,
    cold_ttft_ms: cold.ttft_ms,
    decode_tokens_per_s: decode.tokens_per_s,
    rss_before_load_mb: rssBefore,
    rss_loaded_mb: rssLoaded,
    rss_after_unload_mb: rssAfter,
  };
}
