/**
 * From a filled-in form to a launch: every check that must pass first (trust, fields, a free output
 * folder, the dataset, the environment), the launch plan, and the texts for Save config and Copy as
 * command. No vscode here.
 */
import { readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { isLocalModel, resolveConfigPaths } from '../../core/training/config';
import { localPlan, shellQuote, type LocalPlan, type PlanOptions } from '../../core/training/launchPlan';
import { trainingBlockers, type EnvironmentProbe } from '../../core/training/probe';
import type { TrainConfig } from '../../core/training/schema';
import { slurmPlan, type SlurmOptions, type SlurmPlan } from '../../core/training/slurm';
import { SLURM_TIME } from '../../core/training/slurmValues';
import type { DatasetView, TrainDraft } from '../../protocol/train';
import { completeDraft, draftIssues } from './formModel';
import { datasetBlocker } from './preflight';

export interface LaunchInputs {
  draft: TrainDraft;
  target: 'local' | 'slurm';
  /** Folder relative form paths resolve against (the workspace folder). */
  baseDir: string;
  nativeBin: string;
  /** The interpreter from the settings (SLURM jobs use it as is: the cluster shares the file system). */
  python: string;
  probe: EnvironmentProbe | null;
  dataset: DatasetView;
  trusted: boolean;
  exists: (path: string) => boolean;
}

export type PreparedLaunch = { config: TrainConfig; plan: LocalPlan | SlurmPlan } | { error: string };

const int = (text: string, fallback: number): number => (text.trim() === '' ? fallback : Number(text.trim()));

/** SLURM settings from the form; throws with the field's name when one is not a whole number. */
export function slurmOptionsOf(draft: TrainDraft, runDir: string): SlurmOptions {
  const nodes = int(draft.slurmNodes, 1);
  const gpusPerNode = int(draft.slurmGpusPerNode, 1);
  if (!Number.isInteger(nodes) || nodes < 1) throw new Error(`nodes must be a whole number ≥ 1 (got '${draft.slurmNodes}')`);
  if (!Number.isInteger(gpusPerNode) || gpusPerNode < 0) throw new Error(`GPUs per node must be a whole number ≥ 0 (got '${draft.slurmGpusPerNode}')`);
  if (draft.slurmTime.trim() && !SLURM_TIME.test(draft.slurmTime.trim())) throw new Error(`time limit must look like HH:MM:SS or D-HH:MM:SS (got '${draft.slurmTime}')`);
  return {
    nodes, gpusPerNode,
    ...(draft.slurmPartition.trim() ? { partition: draft.slurmPartition.trim() } : {}),
    ...(draft.slurmTime.trim() ? { time: draft.slurmTime.trim() } : {}),
    jobName: `llava-studio-${runDir.split(/[\\/]/).filter(Boolean).pop() ?? 'run'}`,
  };
}

/** A run folder that already holds a run (ours or a Trainer's): a new launch there would mix two runs. */
export function occupiedRunFolder(runDir: string): string | null {
  let names: string[];
  try {
    names = readdirSync(runDir);
  } catch {
    return null;
  }
  const marker = names.find((n) => n === 'run.json' || n === 'trainer_state.json' || /^checkpoint-\d+$/.test(n));
  return marker ? `${runDir} already holds a run (${marker}): choose another output folder, or resume that run from the Runs view` : null;
}

export function prepareLaunch(inputs: LaunchInputs): PreparedLaunch {
  if (!inputs.trusted) return { error: 'this workspace is not trusted: LLaVA Studio starts no training processes here (Manage Workspace Trust to change that)' };
  const issues = draftIssues(inputs.draft);
  if (issues.length > 0) return { error: `fix ${issues.length === 1 ? 'the highlighted field' : `the ${issues.length} highlighted fields`} first (${issues[0]!.field || 'config'}: ${issues[0]!.message})` };
  const config = resolveConfigPaths(completeDraft(inputs.draft), inputs.baseDir, inputs.exists);
  const occupied = occupiedRunFolder(config.output_dir);
  if (occupied) return { error: occupied };
  const data = datasetBlocker(inputs.dataset, inputs.draft.dropBadRows);
  if (data) return { error: data };
  const base: Omit<PlanOptions, 'python'> = { nativeBin: inputs.nativeBin, runDir: config.output_dir };
  if (inputs.target === 'slurm') {
    try {
      return { config, plan: slurmPlan({ ...base, python: inputs.python }, slurmOptionsOf(inputs.draft, config.output_dir)) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  }
  if (!inputs.probe) return { error: 'the environment check has not finished yet' };
  const blockers = trainingBlockers(inputs.probe, join(inputs.nativeBin, 'requirements.txt'), config.method);
  if (blockers.length > 0) return { error: `cannot train with ${inputs.probe.executable}: ${blockers.join('; ')}` };
  return { config, plan: localPlan({ ...base, python: inputs.probe.executable }) };
}

/** A path as a config file holds it: relative to the file's folder (`./…`), so the file travels with its project. */
function fromFile(fileDir: string, path: string): string {
  const rel = relative(fileDir, path) || '.';
  if (isAbsolute(rel)) return rel;
  return rel.startsWith('..') ? rel : `./${rel}`;
}

/** The text of a `*.train.json` file: the complete config (every default written out), paths relative to the file. */
export function configFileText(config: TrainConfig, file: string, exists: (path: string) => boolean): string {
  const dir = dirname(file);
  const rel = (path: string | null): string | null => (path === null ? null : fromFile(dir, path));
  const local = isLocalModel(config.model, exists, dir);
  const out: TrainConfig = {
    ...config,
    model: local && isAbsolute(config.model) ? fromFile(dir, config.model) : config.model,
    dataset: { ...config.dataset, path: rel(config.dataset.path)!, images_dir: rel(config.dataset.images_dir), eval_path: rel(config.dataset.eval_path) },
    output_dir: rel(config.output_dir)!,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** `llava-studio train <file>` (the CLI probes, launches and follows the run in a terminal). */
export function cliCommandText(configFile: string, target: 'local' | 'slurm' = 'local', slurm?: SlurmOptions): string {
  const parts = ['llava-studio', 'train', shellQuote(configFile)];
  if (target === 'slurm' && slurm) {
    parts.push('--slurm', '--nodes', String(slurm.nodes), '--gpus-per-node', String(slurm.gpusPerNode));
    if (slurm.partition) parts.push('--partition', shellQuote(slurm.partition));
    if (slurm.time) parts.push('--time', shellQuote(slurm.time));
  }
  return parts.join(' ');
}

/**
 * The worker's own command line with its environment, as the supervisor would start it. With `pushTo`,
 * a second line pushes final/ once it has finished (the worker never pushes: the token stays out of it).
 */
export function pythonCommandText(plan: LocalPlan, pushTo: { repo_id: string; private: boolean } | null = null): string {
  const env = Object.entries(plan.env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  const lines = [`# reads ${plan.files.runJson}, which LLaVA Studio writes when it launches the run`, [...env, ...plan.argv.map(shellQuote)].join(' ')];
  if (pushTo) {
    const push = [`PYTHONPATH=${shellQuote(plan.env.PYTHONPATH ?? '')}`, shellQuote(plan.argv[0]!), '-m', 'llava_studio_worker.push', '--run', shellQuote(plan.runDir), '--repo-id', shellQuote(pushTo.repo_id), ...(pushTo.private ? ['--private'] : [])];
    lines.push(`# then push final/ (the token from HF_TOKEN or stdin, never the command line):`, push.join(' '));
  }
  return lines.join('\n');
}
