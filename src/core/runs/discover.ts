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

/** The log folder name torch's SummaryWriter and HF Trainer pick by default: `Nov28_10-00-00_host`. */
export const WRITER_DEFAULT_DIR = /^[A-Z][a-z]{2}\d{2}_\d{2}-\d{2}-\d{2}_/;

const DEFAULT_EXCLUDE = ['node_modules', '.git', '.venv', 'venv', '__pycache__', 'wandb'];

export function isRunFolder(signals: FolderSignals): boolean {
  return signals.trainerState || signals.runJson || signals.checkpointDirs.length > 0 || signals.eventFiles.length > 0;
}

/**
 * Finds run folders under each root. A run folder is one with trainer_state.json, run.json,
 * checkpoint-N/ or event files of its own, or an output dir whose `runs/*` hold event files
 * (HF Trainer's layout). A run claims every event file beneath it, so its subfolders are not runs too.
 */
export async function discoverRunFolders(roots: string[], options: DiscoverOptions = {}): Promise<RunFolder[]> {
  const maxDepth = options.maxDepth ?? 6;
  const exclude = new Set(options.exclude ?? DEFAULT_EXCLUDE);
  const found = new Map<string, RunFolder>();

  const visit = async (root: string, dir: string, depth: number): Promise<void> => {
    if (found.has(dir)) return;
    const signals = folderSignals(await listDir(dir));
    let eventFiles: string[] | null = null;
    if (isRunFolder(signals)) eventFiles = await findEventFiles(dir);
    else if (signals.hasRunsDir) {
      // HF Trainer (and torch's SummaryWriter default) log to runs/<Mon DD_HH-MM-SS_host>/: such
      // folders belong to the output dir above. Custom names (runs/exp1, runs/exp2) are separate runs.
      const nested = await findEventFiles(join(dir, 'runs'), 2);
      const byWriterDefault = nested.filter((file) => WRITER_DEFAULT_DIR.test(relative(join(dir, 'runs'), file).split(sep)[0] ?? ''));
      if (nested.length > 0 && byWriterDefault.length === nested.length) eventFiles = nested;
    }
    if (eventFiles) {
      const rel = relative(root, dir);
      found.set(dir, { path: dir, name: rel === '' ? basename(dir) : rel, root, signals, eventFiles });
      return;
    }
    if (depth >= maxDepth) return;
    await Promise.all(
      signals.subdirs
        .filter((name) => !exclude.has(name) && !name.startsWith('.'))
        .map((name) => visit(root, join(dir, name), depth + 1)),
    );
  };

  for (const root of roots) await visit(root, root, 0);
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}
