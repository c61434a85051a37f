/**
 * "Chat with the fine-tuned model" from a finished run's notification: the argument the chat command
 * gets, and which notification actions a run can really offer. No vscode here.
 */
import { join } from 'node:path';
import type { AlertAction, AlertView, LiveRun } from './liveState';

/** What the worker writes for `method: projector` instead of a PEFT adapter (trainer_setup.PROJECTOR_FILE). */
export const PROJECTOR_FILE = 'projector.safetensors';

export interface ChatCheckpointArg {
  /** `hasAdapter`: a PEFT adapter (adapter_config.json); `hasProjector`: projector weights only. */
  checkpoint: { path: string; hasAdapter: boolean; hasProjector: boolean; baseModel: string | null };
  /** `model`: the run's base model (run.json config.model), which an adapter or projector goes on top of. */
  run: { name: string; path: string; model: string | null };
}

type RunFolders = Pick<LiveRun, 'name' | 'runDir' | 'finalDir' | 'lastCheckpoint'>;

/** The chat command's argument for a run's final/ (else its last checkpoint), or null when that folder holds nothing to load. */
export function chatCheckpointOf(run: RunFolders, exists: (path: string) => boolean, baseModel: string | null): ChatCheckpointArg | null {
  const path = run.finalDir ?? run.lastCheckpoint;
  if (!path) return null;
  const hasAdapter = exists(join(path, 'adapter_config.json'));
  const hasProjector = exists(join(path, PROJECTOR_FILE));
  if (!hasAdapter && !hasProjector) return null;
  return { checkpoint: { path, hasAdapter, hasProjector, baseModel }, run: { name: run.name, path: run.runDir, model: baseModel } };
}

/** The actions a notification offers for this run: Push needs final/, Chat a folder with an adapter or projector. */
export function offeredActions(view: AlertView, run: RunFolders, exists: (path: string) => boolean): AlertAction[] {
  return view.actions.filter((action) => {
    if (action === 'pushToHub') return run.finalDir !== null;
    if (action === 'chatWithAdapter') return chatCheckpointOf(run, exists, null) !== null;
    return true;
  });
}
