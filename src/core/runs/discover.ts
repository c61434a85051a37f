import { basename, join, relative } from 'node:path';
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
      const nested = await findEventFiles(join(dir, 'runs'), 2);
      if (nested.length > 0) eventFiles = nested;
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
