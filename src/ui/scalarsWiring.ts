import type * as vscode from 'vscode';
import type { RunIndex } from '../core/runs/runIndex';
import { registerScalarsPanel, type OpenScalarsOptions } from './scalars/scalarsPanel';
import { scalarsSettings } from './settings';

export interface ScalarsService {
  disposables: vscode.Disposable[];
  open(runPaths: string[], options?: OpenScalarsOptions): void;
  /** A run's files changed: open panels showing it read new points now. */
  poke(runPath: string): void;
}

/** Connects the Scalars panel to the run index: one incremental reader per panel and run. */
export function registerScalars(context: vscode.ExtensionContext, index: RunIndex, log: (message: string) => void, whenRunsKnown: () => Promise<unknown>): ScalarsService {
  const panels = registerScalarsPanel(context, {
    createSource: (runPath) => index.createReader(runPath),
    listRuns: () => index.summaries(),
    settings: () => scalarsSettings(),
    pollIntervalMs: () => scalarsSettings().pollIntervalMs,
    log,
    whenRunsKnown,
  });
  return {
    disposables: [panels],
    open: (runs, options) => void panels.open(runs, options),
    poke: (run) => panels.poke(run),
  };
}
