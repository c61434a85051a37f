// Event-file reader throughput against plain chunked reads of the same ≥100 MB HF-Trainer-shaped file.
import { appendFileSync, existsSync, mkdirSync, renameSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { nodeEventFile } from '../src/core/tfevents/file-source';
import { EventFileTail } from '../src/core/tfevents/tail';
import { encodeRecords, eventFileName, type EventSpec } from '../src/core/tfevents/writer';

const TARGET_BYTES = 100 * 1024 * 1024;
const CHUNK_BYTES = 4 << 20;
const ROUNDS = 5;
const APPEND_ROUNDS = 9;
/** Bump when the generated content changes, so a cached file from an older shape is not reused. */
const SHAPE_VERSION = 1;

const TMP = path.resolve(__dirname, 'tmp');
const FILE = path.join(TMP, `tfevents-v${SHAPE_VERSION}`, eventFileName({ wallSeconds: 1742826235, host: 'bench', pid: 1 }));

export async function run(): Promise<Record<string, number>> {
  const size = ensureBenchFile();
  const megabytes = size / (1024 * 1024);
  const rawMs: number[] = [];
  const parseMs: number[] = [];
  let records = 0;
  // Alternate so that page-cache and CPU-frequency drift hit both measurements alike.
  for (let round = 0; round < ROUNDS; round++) {
    rawMs.push(await time(() => rawRead(FILE)));
    parseMs.push(
      await time(async () => {
        records = (await new EventFileTail(FILE, { chunkBytes: CHUNK_BYTES }).poll()).records;
      }),
    );
  }
  const rawMbPerS = megabytes / (median(rawMs) / 1000);
  const parseMbPerS = megabytes / (median(parseMs) / 1000);
  return {
    parse_vs_raw_ratio: round3(parseMbPerS / rawMbPerS),
    append_update_ms: round3(await appendUpdateMs(size)),
    parse_mb_per_s: round3(parseMbPerS),
    raw_mb_per_s: round3(rawMbPerS),
    file_mb: round3(megabytes),
    records,
  };
}

/** The same open/stat/chunked-read path the tail uses, doing nothing with the bytes. */
async function rawRead(file: string): Promise<number> {
  const handle = await nodeEventFile(file)();
  try {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, handle.size));
    let position = 0;
    while (position < handle.size) {
      const got = await handle.read(buffer, 0, Math.min(buffer.length, handle.size - position), position);
      if (got === 0) break;
      position += got;
    }
    return position;
  } finally {
    await handle.close();
  }
}

/** Median time of a poll that picks up 10 freshly appended events after the whole file was read. */
async function appendUpdateMs(size: number): Promise<number> {
  const tail = new EventFileTail(FILE, { chunkBytes: CHUNK_BYTES });
  await tail.poll();
  const times: number[] = [];
  try {
    for (let round = 0; round < APPEND_ROUNDS; round++) {
      const step = 1_000_000 + round * 10;
      appendFileSync(FILE, encodeRecords(trainingStep(step, 1_800_000_000 + step).slice(0, 10)));
      let points = 0;
      times.push(
        await time(async () => {
          const delta = await tail.poll();
          points = [...delta.scalars.values()].reduce((sum, s) => sum + s.step.length, 0);
        }),
      );
      if (points === 0) throw new Error(`append poll ${round} saw no new points`);
    }
  } finally {
    truncateSync(FILE, size);
  }
  return median(times);
}

/** Writes the bench file once; later runs reuse it (it lives in gitignored bench/tmp). */
function ensureBenchFile(): number {
  if (existsSync(FILE) && statSync(FILE).size >= TARGET_BYTES) return statSync(FILE).size;
  mkdirSync(path.dirname(FILE), { recursive: true });
  const partial = `${FILE}.partial`;
  if (existsSync(partial)) truncateSync(partial, 0);
  const wall0 = 1_742_826_235;
  appendFileSync(partial, encodeRecords(header(wall0)));
  let written = statSync(partial).size;
  for (let step = 1; written < TARGET_BYTES; ) {
    const batch: EventSpec[] = [];
    for (const end = step + 5000; step < end; step++) batch.push(...trainingStep(step, wall0 + step * 0.25));
    const bytes = encodeRecords(batch);
    appendFileSync(partial, bytes);
    written += bytes.length;
  }
  renameSync(partial, FILE);
  return written;
}

function header(wall: number): EventSpec[] {
  const args = JSON.stringify({ output_dir: '/runs/llava-lora', learning_rate: 2e-4, lora_r: 16 }, null, 2);
  return [
    { kind: 'file_version', wall },
    { kind: 'text', tag: 'args/text_summary', step: 0, wall, text: args.repeat(40) },
    { kind: 'text', tag: 'model_config/text_summary', step: 0, wall, text: args.repeat(20) },
  ];
}

/** One logging step the way HF Trainer's TensorBoardCallback writes it: one event per scalar. */
function trainingStep(step: number, wall: number): EventSpec[] {
  const loss = 2.5 * Math.exp(-step / 50_000) + 0.05 * Math.sin(step);
  const events: EventSpec[] = [
    { kind: 'scalar', tag: 'train/loss', step, wall, value: loss },
    { kind: 'scalar', tag: 'train/grad_norm', step, wall, value: 1 + Math.cos(step) },
    { kind: 'scalar', tag: 'train/learning_rate', step, wall, value: 2e-4 * (1 - step / 2e6) },
    { kind: 'scalar', tag: 'train/epoch', step, wall, value: step / 4000 },
  ];
  if (step % 10 === 0) {
    events.push({ kind: 'scalar', tag: 'train/tokens_per_second', step, wall, value: 900 + (step % 97), encoding: 'float_content' });
    events.push({ kind: 'scalar', tag: 'eval/loss', step, wall, value: loss * 1.1, encoding: 'double_val', metadata: step === 10 });
    events.push({ kind: 'scalar', tag: 'train/loss_scale', step, wall, value: 1024, encoding: 'half_val', metadata: step === 10 });
  }
  return events;
}

async function time(action: () => Promise<unknown>): Promise<number> {
  // bench/run.mjs passes --expose-gc: start each measurement without the previous one's garbage.
  (globalThis as { gc?: () => void }).gc?.();
  const start = performance.now();
  await action();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

// `npx tsx bench/tfevents.bench.ts` runs it alone.
if (require.main === module) {
  run().then((result) => console.log(JSON.stringify(result, null, 2)));
}
