import { readFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { findEventFiles, folderSignals, listDir, type FolderSignals } from './layout';

/** A folder recognised as a run, before anything inside it has been read. */
export interface RunFolder {
  path: string;
  /** Path relative to the root it was found under ("." → the root's basename). */
  name: string;
  root: string;
  signals: FolderSignals;
  /** All event files belonging to the run (its own, `runs/*` and other subfolders), oldest first. */
  eventFiles: string[];
}

export interface DiscoverOptions {
  maxDepth?: number;
  /** Folder names never descended into. */
  exclude?: string[];
}

/** Lightning's per-run log folder: `lightning_logs/version_0`. */
const LIGHTNING_VERSION_DIR = /^version_\d+$/;

/** The log folder name torch's SummaryWriter and HF Trainer pick by default: `Nov28_10-00-00_host`. */
export const WRITER_DEFAULT_DIR = /^[A-Z][a-z]{2}\d{2}_\d{2}-\d{2}-\d{2}_/;

const DEFAULT_EXCLUDE = ['node_modules', '.git', '.venv', 'venv', '__pycache__', 'wandb'];

/** Whether discovery would ever look at `relPath` (relative to a root): no excluded or hidden folder on the way. */
export function isDiscoverablePath(relPath: string, options: DiscoverOptions = {}): boolean {
  const exclude = new Set(options.exclude ?? DEFAULT_EXCLUDE);
  const parts = relPath.split(/[\\/]/).filter((part) => part !== '');
  if (parts.length === 0 || parts[0] === '..') return false;
  return parts.length <= (options.maxDepth ?? 6) && parts.every((part) => !exclude.has(part) && !part.startsWith('.'));
}

export function isRunFolder(signals: FolderSignals): boolean {
  return signals.trainerState || signals.runJson || signals.trainerLog || signals.lightningCsv || signals.checkpointDirs.length > 0 || signals.eventFiles.length > 0;
}

/** Only a run.json LLaVA Studio wrote marks a run: other tools use that name for other things. */
export async function isOurRunJson(file: string): Promise<boolean> {
  try {
    const raw = JSON.parse(await readFile(file, 'utf8')) as { version?: unknown; plan?: unknown; config?: unknown };
    return raw.version === 1 && typeof raw.plan === 'object' && raw.plan !== null && typeof raw.config === 'object';
  } catch {
    return false;
  }
}

/** A folder's signals with a foreign run.json not counted. */
export async function runSignals(dir: string): Promise<FolderSignals> {
  const signals = folderSignals(await listDir(dir));
  if (signals.metricsCsv && LIGHTNING_VERSION_DIR.test(basename(dir))) signals.lightningCsv = true;
  if (signals.runJson && !(await isOurRunJson(join(dir, 'run.json')))) signals.runJson = false;
  return signals;
}

/** Event files of HF's writer-default `runs/<Mon DD_HH-MM-SS_host>/` folders, when every folder there has that name. */
async function writerDefaultLogs(dir: string): Promise<string[] | null> {
  const nested = await findEventFiles(join(dir, 'runs'), 2);
  const byWriterDefault = nested.filter((file) => WRITER_DEFAULT_DIR.test(relative(join(dir, 'runs'), file).split(sep)[0] ?? ''));
  return nested.length > 0 && byWriterDefault.length === nested.length ? nested : null;
}

/** Drops from each run the event files that belong to a run nested inside it. */
export function withoutNestedRuns(runPath: string, eventFiles: string[], allRuns: Iterable<string>): string[] {
  const nested = [...allRuns].filter((other) => other !== runPath && other.startsWith(runPath + sep));
  if (nested.length === 0) return eventFiles;
  return eventFiles.filter((file) => !nested.some((other) => file.startsWith(other + sep)));
}

/**
 * Finds run folders under each root. A run folder is one with trainer_state.json, our run.json,
 * trainer_log.jsonl, checkpoint-N/ or event files of its own, or an output dir whose `runs/*`
 * hold event files under the writer's default names (HF Trainer's layout). A run owns the event
 * files beneath it, except those of runs nested deeper (a workspace trained into `.` can still
 * hold other experiments); checkpoint folders and HF's `runs/` are never runs of their own.
 */
export async function discoverRunFolders(roots: string[], options: DiscoverOptions = {}): Promise<RunFolder[]> {
  const maxDepth = options.maxDepth ?? 6;
  const exclude = new Set(options.exclude ?? DEFAULT_EXCLUDE);
  const found = new Map<string, RunFolder>();
  const visited = new Set<string>();

  const visit = async (root: string, dir: string, depth: number): Promise<void> => {
    if (visited.has(dir)) return;
    visited.add(dir);
    const signals = await runSignals(dir);
    let eventFiles: string[] | null = null;
    if (isRunFolder(signals)) eventFiles = await findEventFiles(dir);
    else if (signals.hasRunsDir) eventFiles = await writerDefaultLogs(dir);
    if (eventFiles) {
      const rel = relative(root, dir);
      found.set(dir, { path: dir, name: rel === '' ? basename(dir) : rel, root, signals, eventFiles });
    }
    if (depth >= maxDepth) return;
    await Promise.all(
      signals.subdirs
        .filter((name) => !exclude.has(name) && !name.startsWith('.') && !(eventFiles && name === 'runs'))
        .map((name) => visit(root, join(dir, name), depth + 1)),
    );
  };

  for (const root of roots) await visit(root, root, 0);
  const paths = [...found.keys()];
  for (const run of found.values()) run.eventFiles = withoutNestedRuns(run.path, run.eventFiles, paths);
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}
