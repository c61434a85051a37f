import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CHECKPOINT_DIR, listDir } from './layout';
import type { CheckpointInfo } from './types';
import { evalLossAt, type TrainerState } from './trainerState';

const ADAPTER_WEIGHTS = ['adapter_model.safetensors', 'adapter_model.bin'];

/** Reads one checkpoint folder: size of its files (one level of subfolders) and whether it holds a PEFT adapter. */
export async function readCheckpoint(dir: string): Promise<Omit<CheckpointInfo, 'isBest'>> {
  const step = Number(CHECKPOINT_DIR.exec(basename(dir))?.[1] ?? Number.NaN);
  const entries = await listDir(dir);
  const names = new Set(entries.map((entry) => entry.name));
  let sizeBytes = 0;
  const sizeOf = async (path: string): Promise<number> => {
    try {
      return (await stat(path)).size;
    } catch {
      return 0; // removed while we looked: not an error for a size estimate
    }
  };
  const sizes = await Promise.all(entries.map(async (entry) => {
    const full = join(dir, entry.name);
    if (entry.isFile()) return sizeOf(full);
    if (!entry.isDirectory()) return 0;
    const inner = await listDir(full);
    const innerSizes = await Promise.all(inner.filter((e) => e.isFile()).map((e) => sizeOf(join(full, e.name))));
    return innerSizes.reduce((a, b) => a + b, 0);
  }));
  for (const size of sizes) sizeBytes += size;
  const hasAdapter = names.has('adapter_config.json') && ADAPTER_WEIGHTS.some((name) => names.has(name));
  return { step, path: dir, hasAdapter, sizeBytes };
}

/**
 * Which checkpoint is best: trainer_state's best_model_checkpoint (matched by folder name, since the
 * recorded path may come from another machine), else the checkpoint step with the lowest eval_loss.
 */
export function bestCheckpointStep(checkpoints: { step: number }[], state: TrainerState | null): number | null {
  if (!state) return null;
  if (state.bestModelCheckpoint) {
    const match = CHECKPOINT_DIR.exec(basename(state.bestModelCheckpoint.replace(/[\\/]+$/, '')));
    if (match) return Number(match[1]);
  }
  let best: { step: number; loss: number } | null = null;
  for (const { step } of checkpoints) {
    const loss = evalLossAt(state, step);
    if (loss !== null && (!best || loss < best.loss)) best = { step, loss };
  }
  return best?.step ?? null;
}

export async function readCheckpoints(runDir: string, names: string[], state: TrainerState | null): Promise<CheckpointInfo[]> {
  const read = await Promise.all(names.map((name) => readCheckpoint(join(runDir, name))));
  read.sort((a, b) => a.step - b.step);
  const best = bestCheckpointStep(read, state);
  return read.map((checkpoint) => ({ ...checkpoint, isBest: checkpoint.step === best }));
}

/**
 * PyTorch Lightning's `checkpoints/*.ckpt` files (ModelCheckpoint's default
 * `epoch=E-step=S.ckpt`, `last.ckpt`), listed like Trainer checkpoints.
 */
export async function readLightningCheckpoints(runDir: string): Promise<CheckpointInfo[]> {
  const dir = join(runDir, 'checkpoints');
  const files = (await listDir(dir)).filter((entry) => entry.isFile() && entry.name.endsWith('.ckpt'));
  const read = await Promise.all(files.map(async (entry) => {
    const path = join(dir, entry.name);
    const size = await stat(path).then((s) => s.size, () => 0);
    const step = Number(/step=(\d+)/.exec(entry.name)?.[1] ?? -1);
    return { step, label: entry.name, path, hasAdapter: false, sizeBytes: size, isBest: false };
  }));
  return read.sort((a, b) => a.step - b.step || a.label.localeCompare(b.label));
}
