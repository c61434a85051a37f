import type { ScalarSeries, TextSummary, Damage } from '../tfevents/types';

/** Lifecycle of a run. `live` = written to recently or a live pid; the rest come from run.json or files. */
export type RunStatus = 'live' | 'finished' | 'stopped' | 'crashed' | 'queued' | 'unknown';

/** Where a run came from: our own launcher, an HF Trainer output dir, or bare TensorBoard logs. */
export type RunSource = 'llava-studio' | 'hf-trainer' | 'lightning' | 'tensorboard';

export interface CheckpointInfo {
  /** Global step; -1 when the checkpoint does not say (Lightning's `last.ckpt`). */
  step: number;
  /** Display name when it is not `checkpoint-<step>` (a Lightning `.ckpt` file). */
  label?: string;
  path: string;
  /** PEFT adapter present (adapter_model.safetensors/.bin + adapter_config.json). */
  hasAdapter: boolean;
  sizeBytes: number;
  /** This checkpoint is trainer_state.json's best_model_checkpoint (or has the lowest eval loss). */
  isBest: boolean;
}

export interface RunSummary {
  /** Absolute folder of the run. */
  path: string;
  /** Display name: the folder's path relative to its root, or the basename when it is the root. */
  name: string;
  source: RunSource;
  status: RunStatus;
  lastStep: number | null;
  /** Epoch milliseconds of the run's start (run.json, first event wall time, or folder time). */
  startedAt: number | null;
  /** Epoch milliseconds of the last write seen (newest event record / file mtime). */
  updatedAt: number | null;
  bestEvalLoss: number | null;
  checkpoints: CheckpointInfo[];
  /** Scalar tags seen in event files or trainer_state.json log_history, sorted. */
  tags: string[];
  /** Absolute paths of the run's TensorBoard event files, oldest first. */
  eventFiles: string[];
}

/** All scalars of one run, merged over its event files (resumed steps de-duplicated). */
export interface RunScalars {
  run: string;
  series: Map<string, ScalarSeries>;
  texts: TextSummary[];
  damage: { file: string; damage: Damage }[];
  /** `events` when read from TensorBoard files, `trainer_state` when from log_history. */
  origin: 'events' | 'trainer_state' | 'none';
}

/** What changed in a run's scalars since the previous `update()`. */
export type RunScalarsUpdate =
  | { kind: 'none' }
  /** Only new points (per tag), to be appended to what the caller already has. */
  | { kind: 'append'; series: Map<string, ScalarSeries>; texts: TextSummary[] }
  /** Everything, replacing what the caller has (first read, a file replaced, a resume overlap). */
  | { kind: 'replace'; scalars: RunScalars };

/** Incremental reader of one run's scalars; cheap to call often (reads only appended bytes). */
export interface RunScalarsSource {
  readonly runPath: string;
  update(): Promise<RunScalarsUpdate>;
  dispose(): void;
}
