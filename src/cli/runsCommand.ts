import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RunIndex } from '../core/runs/runIndex';
import type { RunSummary } from '../core/runs/types';
import { openEventTail } from '../core/runs/eventTail';
import { formatBytes, formatNumber, formatTable } from './table';
import { UsageError, type Io } from './usageError';

export const runsUsage = 'llava-studio runs DIR [--json]';

/** The `runs --json` contract shape. */
export function runJsonShape(run: RunSummary): object {
  return {
    path: run.path,
    name: run.name,
    status: run.status,
    lastStep: run.lastStep,
    checkpoints: run.checkpoints.map((c) => ({ step: c.step, path: c.path, hasAdapter: c.hasAdapter })),
    tags: run.tags,
  };
}

export async function listRuns(dir: string): Promise<RunSummary[]> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) throw new UsageError(`not a folder: ${dir}`);
  const index = new RunIndex(() => [root], openEventTail, () => ({ maxDepth: 12 }));
  await index.rescan();
  const runs = index.summaries();
  index.dispose();
  return runs;
}

export async function runsCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError(`usage: ${runsUsage}`);
  const runs = await listRuns(positionals[0]!);
  if (values.json) {
    io.out(JSON.stringify(runs.map(runJsonShape)) + '\n');
    return 0;
  }
  if (runs.length === 0) {
    io.out('no runs found (a run is a folder with trainer_state.json, checkpoint-*/, run.json or TensorBoard event files)\n');
    return 0;
  }
  io.out(formatTable(
    ['run', 'status', 'last step', 'best eval loss', 'checkpoints', 'tags'],
    runs.map((run) => [
      run.name,
      run.status,
      run.lastStep === null ? '-' : String(run.lastStep),
      formatNumber(run.bestEvalLoss),
      run.checkpoints.length === 0 ? '-' : `${run.checkpoints.length} (${formatBytes(run.checkpoints.reduce((a, c) => a + c.sizeBytes, 0))})`,
      String(run.tags.length),
    ]),
  ));
  return 0;
}
