import type { Alert } from './alerts';
import type { WorkerEvent } from './events';
import type { BadLine } from './eventsTail';
import type { FitSuggestion } from './fit';
import type { LocalPlan } from './launchPlan';
import type { KillFn } from './processInfo';
import type { GpuInfo } from './probe';
import type { RunRecord, RunState } from './runRecord';
import type { TrainConfig } from './schema';
import type { SlurmClient, SlurmPlan } from './slurm';
import type { SpawnFn } from './spawnWorker';

export interface SupervisorDeps {
  spawn?: SpawnFn;
  kill?: KillFn;
  now?: () => Date;
  hostname?: () => string;
  slurm?: SlurmClient;
  /** How often events.jsonl and a local process are checked (ms). */
  pollMs?: number;
  /** How often squeue/scontrol are asked about a SLURM job (ms, default 30 s): the controller is shared. */
  slurmPollMs?: number;
  /** Grace period of a stop recorded without one (run.json from an older version), ms (default 120 s). */
  stopGraceMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Settings that would fit, for an out-of-memory alert (default: the VRAM estimator's). */
  fitAdvisor?: (record: RunRecord) => Promise<FitSuggestion[]>;
}

export type SupervisorNotice =
  | { kind: 'event'; event: WorkerEvent }
  | { kind: 'status'; status: RunState; record: RunRecord }
  | { kind: 'alert'; alert: Alert }
  | { kind: 'bad-line'; line: BadLine };

export interface LaunchRequest {
  /** Paths already resolved (resolveConfigPaths). */
  config: TrainConfig;
  plan: LocalPlan | SlurmPlan;
  name?: string;
  gpus?: GpuInfo[];
}

export type ReattachResult = 'following' | 'ended' | 'foreign-host';
