import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isSameProcess } from '../training/processInfo';
import { join } from 'node:path';
import { readCheckpoints, readLightningCheckpoints } from './checkpoints';
import type { RunFolder } from './discover';
import { eventFileCreatedSecs } from './layout';
import { readRunJson, type RunJson } from './runJson';
import { bestEvalLoss, readTrainerState, type TrainerState } from './trainerState';
import type { RunScalars, RunStatus, RunSummary } from './types';

/** A run written to within this window, and not known to be finished, is shown as live. */
export const LIVE_WINDOW_MS = 3 * 60_000;

const EVAL_LOSS_TAGS = ['eval/loss', 'eval_loss', 'val_loss', 'validation/loss', 'epoch_val_loss'];

async function mtimeMs(path: string): Promise<number | null> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return null;
  }
}

async function exists(path: string): Promise<boolean> {
  return (await mtimeMs(path)) !== null;
}

async function tryRead<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch {
    return null; // missing or half-written: the run is still listed, with less detail
  }
}

/** run.json says live, is for this machine and not SLURM, and its recorded worker is not running. */
function workerGone(run: RunJson, runDir: string): boolean {
  if (run.status !== 'live' || run.pid === null || run.slurmJobId !== null || run.host !== hostname()) return false;
  return !isSameProcess({ pid: run.pid, pidStartTime: run.pidStartTime, runDir });
}

export function runStatus(input: {
  runJson: RunJson | null;
  /** run.json says live, but its worker is known to be gone (same host, pid dead or recycled). */
  workerGone?: boolean;
  finishedMarkers: boolean;
  state: TrainerState | null;
  updatedAt: number | null;
  now: number;
}): RunStatus {
  if (input.runJson?.status === 'live' && input.workerGone) return 'crashed';
  if (input.runJson && input.runJson.status !== 'unknown') return input.runJson.status;
  if (input.finishedMarkers) return 'finished';
  const { state } = input;
  if (state && (state.trainingStopped || (state.globalStep !== null && state.maxSteps !== null && state.maxSteps > 0 && state.globalStep >= state.maxSteps))) {
    return 'finished';
  }
  if (input.updatedAt !== null && input.now - input.updatedAt < LIVE_WINDOW_MS) return 'live';
  return 'unknown';
}

function runSource(folder: RunFolder, hasTrainerState: boolean, hasCheckpoints: boolean): RunSummary['source'] {
  if (folder.signals.runJson) return 'llava-studio';
  if (hasTrainerState || folder.signals.checkpointDirs.length > 0) return 'hf-trainer';
  if (folder.signals.lightningCsv || hasCheckpoints) return 'lightning'; // Lightning's checkpoints/*.ckpt
  return 'tensorboard';
}

/** Everything the explorer shows for one run folder, given its (already read) scalars. */
export async function summarizeRun(folder: RunFolder, scalars: RunScalars | null, now = Date.now()): Promise<RunSummary> {
  const topState = folder.signals.trainerState ? await tryRead(() => readTrainerState(join(folder.path, 'trainer_state.json'))) : null;
  const newestCheckpoint = [...folder.signals.checkpointDirs].sort((a, b) => Number(b.slice(11)) - Number(a.slice(11)))[0];
  const state = topState ?? (newestCheckpoint ? await tryRead(() => readTrainerState(join(folder.path, newestCheckpoint, 'trainer_state.json'))) : null);
  const runJson = folder.signals.runJson ? await tryRead(() => readRunJson(join(folder.path, 'run.json'))) : null;
  const checkpoints = [
    ...await readCheckpoints(folder.path, folder.signals.checkpointDirs, state),
    ...(folder.signals.subdirs.includes('checkpoints') ? await readLightningCheckpoints(folder.path) : []),
  ];

  const watched = [
    ...folder.eventFiles,
    join(folder.path, 'trainer_state.json'),
    join(folder.path, 'run.json'),
    ...(folder.signals.lightningCsv ? [join(folder.path, 'metrics.csv')] : []),
    ...checkpoints.map((c) => c.path),
  ];
  const times = (await Promise.all(watched.map(mtimeMs))).filter((t): t is number => t !== null);
  const modifiedAt = times.length > 0 ? Math.max(...times) : null;

  let lastStep: number | null = state?.globalStep ?? null;
  const bump = (step: number | undefined): void => {
    if (step !== undefined && Number.isFinite(step) && (lastStep === null || step > lastStep)) lastStep = step;
  };
  for (const checkpoint of checkpoints) bump(checkpoint.step);
  let firstWall: number | null = null;
  let lastWall: number | null = null;
  if (scalars) {
    for (const line of scalars.series.values()) {
      bump(line.step[line.step.length - 1]);
      const first = line.wall[0];
      const last = line.wall[line.wall.length - 1];
      if (first !== undefined && Number.isFinite(first) && (firstWall === null || first < firstWall)) firstWall = first;
      if (last !== undefined && Number.isFinite(last) && (lastWall === null || last > lastWall)) lastWall = last;
    }
  }
  // all_results.json / train_results.json mark the end of a Trainer run, unless the run wrote
  // again later (resumed or continued): then they are left over from before.
  const markerTimes = (await Promise.all(['all_results.json', 'train_results.json'].map((name) => mtimeMs(join(folder.path, name)))))
    .filter((t): t is number => t !== null);
  const finishedMarkers = markerTimes.length > 0 && (lastWall === null || Math.max(...markerTimes) >= lastWall * 1000 - 60_000);
  // Copied or restored files have fresh mtimes; the newest record's own wall time is the better
  // clock of when the run last wrote. mtime only where the files carry no times (trainer_state).
  const updatedAt = lastWall !== null ? lastWall * 1000 : modifiedAt;

  let best: number | null = null;
  for (const tag of EVAL_LOSS_TAGS) {
    const line = scalars?.series.get(tag);
    if (!line) continue;
    for (const value of line.value) if (Number.isFinite(value) && (best === null || value < best)) best = value;
    if (best !== null) break;
  }
  if (best === null && state) best = bestEvalLoss(state);

  const createdSecs = folder.eventFiles.map(eventFileCreatedSecs).filter((s): s is number => s !== null);
  const startedAt = runJson?.startedAt
    ?? (createdSecs.length > 0 ? Math.min(...createdSecs) * 1000 : null)
    ?? (firstWall !== null ? firstWall * 1000 : null);

  return {
    path: folder.path,
    name: runJson?.name ?? folder.name,
    source: runSource(folder, state !== null, checkpoints.length > 0),
    status: runStatus({ runJson, workerGone: runJson ? workerGone(runJson, folder.path) : false, finishedMarkers, state, updatedAt, now }),
    lastStep,
    startedAt,
    updatedAt,
    bestEvalLoss: best,
    checkpoints,
    tags: scalars ? [...scalars.series.keys()].sort() : [],
    eventFiles: folder.eventFiles,
  };
}
