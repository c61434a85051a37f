import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** TensorBoard event files of any writer: torch, tensorboardX, TF (`.v2` suffix), Keras. */
export const EVENT_FILE = /^events\.out\.tfevents\./;
export const CHECKPOINT_DIR = /^checkpoint-(\d+)$/;

/** What a folder's own entries say about it being a run folder. */
export interface FolderSignals {
  trainerState: boolean;
  runJson: boolean;
  /** LLaMA-Factory's per-log-step file (it often trains with report_to none: no event files). */
  trainerLog: boolean;
  /** A `metrics.csv` file (of Lightning's CSVLogger, or anything else). */
  metricsCsv: boolean;
  /**
   * The metrics.csv is Lightning's CSVLogger's (its default logger when tensorboard is missing): it
   * has hparams.yaml beside it, or the folder is named version_N (runSignals checks the name).
   */
  lightningCsv: boolean;
  checkpointDirs: string[];
  eventFiles: string[];
  /** `runs/` (HF Trainer's logging dir) with at least one subfolder. */
  hasRunsDir: boolean;
  subdirs: string[];
}

export async function listDir(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

export function folderSignals(entries: Dirent[]): FolderSignals {
  const signals: FolderSignals = { trainerState: false, runJson: false, trainerLog: false, metricsCsv: false, lightningCsv: false, checkpointDirs: [], eventFiles: [], hasRunsDir: false, subdirs: [] };
  let hasHparams = false;
  for (const entry of entries) {
    const isDir = entry.isDirectory() || entry.isSymbolicLink();
    if (entry.isFile() && entry.name === 'trainer_state.json') signals.trainerState = true;
    else if (entry.isFile() && entry.name === 'run.json') signals.runJson = true;
    else if (entry.isFile() && entry.name === 'trainer_log.jsonl') signals.trainerLog = true;
    else if (entry.isFile() && entry.name === 'metrics.csv') signals.metricsCsv = true;
    else if (entry.isFile() && entry.name === 'hparams.yaml') hasHparams = true;
    else if (entry.isFile() && EVENT_FILE.test(entry.name)) signals.eventFiles.push(entry.name);
    else if (isDir && CHECKPOINT_DIR.test(entry.name)) signals.checkpointDirs.push(entry.name);
    else if (isDir) {
      signals.subdirs.push(entry.name);
      if (entry.name === 'runs') signals.hasRunsDir = true;
    }
  }
  signals.lightningCsv = signals.metricsCsv && hasHparams;
  return signals;
}

/** Event files at or below `dir` (bounded depth), skipping checkpoint folders. */
export async function findEventFiles(dir: string, maxDepth = 4): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string, depth: number): Promise<void> => {
    for (const entry of await listDir(folder)) {
      const full = join(folder, entry.name);
      if (entry.isFile() && EVENT_FILE.test(entry.name)) found.push(full);
      else if (entry.isDirectory() && depth < maxDepth && !CHECKPOINT_DIR.test(entry.name) && !entry.name.startsWith('.')) {
        await walk(full, depth + 1);
      }
    }
  };
  await walk(dir, 0);
  return sortEventFiles(found);
}

/**
 * Event files in write order: by the creation seconds in the name
 * (`events.out.tfevents.<secs>.<host>[.<pid>.<n>][.v2]`), then by the trailing counter, then path.
 */
export function sortEventFiles(files: string[]): string[] {
  const key = (file: string): [number, number] => {
    const name = file.slice(file.lastIndexOf('/') + 1).replace(/\.v2$/, '');
    const parts = name.split('.');
    const secs = Number(parts[3]);
    const counter = Number(parts[parts.length - 1]);
    return [Number.isFinite(secs) ? secs : 0, Number.isFinite(counter) && parts.length > 5 ? counter : 0];
  };
  return [...files].sort((a, b) => {
    const [sa, ca] = key(a);
    const [sb, cb] = key(b);
    return sa - sb || ca - cb || a.localeCompare(b);
  });
}

/** Seconds since the epoch encoded in an event file's name, or null. */
export function eventFileCreatedSecs(file: string): number | null {
  const secs = Number(file.slice(file.lastIndexOf('/') + 1).split('.')[3]);
  return Number.isFinite(secs) && secs > 0 ? secs : null;
}
