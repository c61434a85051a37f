/**
 * What the Fine-tune form needs from VS Code and the machine, as TrainControllerDeps: the interpreter,
 * the probe, Hub search, dialogs, the clipboard, secrets, trust, `sbatch` on PATH, and the launch.
 */
import * as vscode from 'vscode';
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { searchModels } from '../../core/hub/search';
import { loadArchitecture } from '../../core/training/modelSource';
import { probeEnvironment } from '../../core/training/probe';
import type { SlurmPlan } from '../../core/training/slurm';
import type { LaunchRequest } from '../../core/training/supervisorTypes';
import type { PickTarget, RunAction } from '../../protocol/train';
import { checkDataset } from './preflight';
import { resolvePython } from './pythonInterpreter';
import type { TrainControllerDeps } from './trainController';

export const HF_TOKEN_SECRET = 'llavaStudio.hfToken';

export interface TrainServiceDeps {
  context: vscode.ExtensionContext;
  nativeBin: string;
  launch(request: LaunchRequest): Promise<void>;
  runAction(action: RunAction, runDir: string): void;
  log(message: string): void;
}

export function baseDir(): string {
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath ?? homedir();
}

let sbatchCache: { at: number; found: boolean } | null = null;

/** Whether `sbatch` is an executable on PATH (looked up at most every 30 s). */
export function sbatchOnPath(env: NodeJS.ProcessEnv = process.env): boolean {
  if (sbatchCache && Date.now() - sbatchCache.at < 30_000) return sbatchCache.found;
  const found = (env.PATH ?? '').split(delimiter).filter(Boolean).some((dir) => {
    try {
      accessSync(join(dir, 'sbatch'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  sbatchCache = { at: Date.now(), found };
  return found;
}

const PICK: Record<PickTarget, vscode.OpenDialogOptions> = {
  modelFolder: { canSelectFolders: true, canSelectFiles: false, openLabel: 'Use Model Folder', title: 'Base model: a folder with config.json and weights' },
  datasetFile: { canSelectFiles: true, canSelectFolders: false, openLabel: 'Use Dataset', title: 'Training data', filters: { 'Datasets': ['json', 'jsonl', 'parquet', 'arrow'], 'All files': ['*'] } },
  datasetFolder: { canSelectFolders: true, canSelectFiles: false, openLabel: 'Use Dataset Folder', title: 'Training data: a parquet folder or a save_to_disk folder' },
  evalFile: { canSelectFiles: true, canSelectFolders: true, openLabel: 'Use for Evaluation', title: 'Evaluation data', filters: { 'Datasets': ['json', 'jsonl', 'parquet', 'arrow'], 'All files': ['*'] } },
  imagesDir: { canSelectFolders: true, canSelectFiles: false, openLabel: 'Use Images Folder', title: 'Folder that relative image paths resolve against' },
  outputDir: { canSelectFolders: true, canSelectFiles: false, openLabel: 'Use as Run Folder', title: 'Output folder (an empty folder: the run writes checkpoints, logs and run.json into it)' },
};

/** Opens the sbatch script for review, then asks before submitting. */
async function reviewSlurmScript(plan: SlurmPlan): Promise<boolean> {
  const document = await vscode.workspace.openTextDocument({ content: plan.script, language: 'shellscript' });
  await vscode.window.showTextDocument(document, { preview: true });
  const choice = await vscode.window.showInformationMessage(
    `Submit this job to SLURM (${plan.slurm.nodes} node(s) × ${plan.slurm.gpusPerNode} GPU(s))?`,
    { modal: true, detail: `It is written to ${plan.scriptPath} and submitted with: ${plan.submitArgv.join(' ')}. The job gets no Hugging Face token: a run that pushes is pushed from here when it has finished.` },
    'Submit',
  );
  return choice === 'Submit';
}

export function trainControllerDeps(deps: TrainServiceDeps): TrainControllerDeps {
  const { context } = deps;
  const trusted = (): boolean => vscode.workspace.isTrusted;
  return {
    nativeBin: deps.nativeBin,
    baseDir,
    python: resolvePython,
    probe: async (python, method) => {
      if (!trusted()) {
        const why = 'this workspace is not trusted: LLaVA Studio runs no Python here';
        return { ok: false, python: null, executable: python, packages: {}, cuda: null, gpus: [], bf16: null, errors: [], error: why, hints: [why] };
      }
      return probeEnvironment({ python, nativeBin: deps.nativeBin, method });
    },
    searchModels: async (query) => searchModels(query, { accessToken: await context.secrets.get(HF_TOKEN_SECRET) ?? undefined, timeoutMs: 10_000 }),
    architecture: (model, base) => loadArchitecture(model, { baseDir: base, timeoutMs: 10_000 }),
    checkDataset,
    pick: async (target, current) => {
      const picked = await vscode.window.showOpenDialog({ ...PICK[target], canSelectMany: false, defaultUri: vscode.Uri.file(current) });
      return picked?.[0]?.fsPath;
    },
    chooseSaveFile: async (suggested) => (await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(suggested), saveLabel: 'Save Config', title: 'Save the training config (*.train.json)', filters: { 'Training config': ['json'] },
    }))?.fsPath,
    chooseConfigFile: async () => (await vscode.window.showOpenDialog({
      canSelectFiles: true, canSelectMany: false, openLabel: 'Load Config', title: 'Load a training config (*.train.json)', filters: { 'Training config': ['json'] },
      defaultUri: vscode.Uri.file(baseDir()),
    }))?.[0]?.fsPath,
    writeFile: async (path, text) => {
      await vscode.workspace.fs.writeFile(vscode.Uri.file(path), new TextEncoder().encode(text));
    },
    copyText: async (text) => {
      await vscode.env.clipboard.writeText(text);
    },
    trusted,
    sbatchAvailable: () => sbatchOnPath(),
    hfToken: async () => (await context.secrets.get(HF_TOKEN_SECRET)) || undefined,
    reviewSlurmScript,
    launch: deps.launch,
    runAction: deps.runAction,
    inform: (message) => void vscode.window.showWarningMessage(message),
    log: deps.log,
  };
}
