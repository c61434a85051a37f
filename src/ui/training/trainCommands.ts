/**
 * Run-level training commands: Stop, Resume (latest or a chosen checkpoint), Open Log, Push to Hub,
 * Set Hugging Face Token, and the push of a finished run whose config asks for one. They take a
 * Runs-view node, a run folder path, or nothing (then they ask). All but Open Log need workspace
 * trust: they signal processes, run SLURM commands with ids from run.json, or upload.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { RunIndex } from '../../core/runs/runIndex';
import { pushRunToHub, type PushResult } from '../../core/hub/upload';
import type { ResumeFrom } from '../../core/training/launchPlan';
import { readRunRecord, TERMINAL } from '../../core/training/runRecord';
import { CheckpointNode, RunNode } from '../runs/runNodes';
import { HF_TOKEN_SECRET } from './trainServices';
import type { TrainingRuns } from './trainingRuns';

export interface TrainCommandDeps {
  context: vscode.ExtensionContext;
  index: RunIndex;
  runs: TrainingRuns;
  graceSeconds(): number;
  log(message: string): void;
}

/** A run folder from whatever invoked the command: a Runs-view node, a path, a Uri. */
export function runDirOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (arg instanceof RunNode) return arg.summary.path;
  if (arg instanceof CheckpointNode) return arg.run.path;
  return undefined;
}

async function pickRun(deps: TrainCommandDeps, title: string, which: (status: string) => boolean): Promise<string | undefined> {
  const runs = deps.index.summaries().filter((r) => r.source === 'llava-studio' && which(r.status));
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(`${title}: no LLaVA Studio run fits (a run launched from LLaVA Studio has a run.json).`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(runs.map((r) => ({ label: r.name, description: r.status, detail: r.path, path: r.path })), { title, matchOnDetail: true });
  return picked?.path;
}

function requireTrust(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(`${what}: this workspace is not trusted, so LLaVA Studio neither starts nor signals training processes nor uploads here.`, 'Manage Workspace Trust')
    .then((choice) => { if (choice) void vscode.commands.executeCommand('workbench.trust.manage'); });
  return false;
}

async function checkpointsOf(runDir: string): Promise<number[]> {
  const names = await readdir(runDir).catch(() => [] as string[]);
  return names.map((n) => /^checkpoint-(\d+)$/.exec(n)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])).sort((a, b) => b - a);
}

export async function stopRun(deps: TrainCommandDeps, arg?: unknown): Promise<void> {
  if (!requireTrust('Stop Training')) return;
  const runDir = runDirOf(arg) ?? deps.runs.list().find((r) => !TERMINAL.has(r.status))?.runDir ?? await pickRun(deps, 'Stop Training', (s) => s === 'live' || s === 'queued');
  if (!runDir) return;
  if (!existsSync(join(runDir, 'run.json'))) throw new Error(`${runDir} was not launched by LLaVA Studio (no run.json): stop it where it was started`);
  const grace = deps.graceSeconds();
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Stopping ${basename(runDir)}`, cancellable: false }, async (progress) => {
    progress.report({ message: `asked the worker to save a checkpoint (it is killed after ${grace} s if it does not)…` });
    await deps.runs.stop(runDir);
  });
}

async function resume(deps: TrainCommandDeps, runDir: string, from: ResumeFrom): Promise<void> {
  if (!requireTrust('Resume Training')) return;
  const record = await readRunRecord(join(runDir, 'run.json'));
  if (!TERMINAL.has(record.status)) throw new Error(`${record.name} is ${record.status}: stop it before resuming`);
  await deps.runs.resume(runDir, from);
}

export async function resumeRun(deps: TrainCommandDeps, arg?: unknown): Promise<void> {
  if (!requireTrust('Resume Training')) return;
  const runDir = runDirOf(arg) ?? await pickRun(deps, 'Resume Training', (s) => s === 'stopped' || s === 'crashed');
  if (!runDir) return;
  if (!existsSync(join(runDir, 'run.json'))) throw new Error(`${runDir} was not launched by LLaVA Studio (no run.json): resume it with the tool that made it`);
  const steps = await checkpointsOf(runDir);
  if (steps.length === 0) throw new Error(`no checkpoint to resume from in ${runDir}: start a new run instead`);
  const items: (vscode.QuickPickItem & { from: ResumeFrom })[] = [
    { label: `$(debug-continue) Latest checkpoint`, description: `checkpoint-${steps[0]}`, from: 'latest' },
    ...steps.map((step) => ({ label: `checkpoint-${step}`, description: `step ${step}`, from: `checkpoint-${step}` as ResumeFrom })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: `Resume ${basename(runDir)} from…`, placeHolder: 'The run continues in the same folder' });
  if (picked) await resume(deps, runDir, picked.from);
}

export async function resumeFromCheckpoint(deps: TrainCommandDeps, arg?: unknown): Promise<void> {
  if (!(arg instanceof CheckpointNode)) return resumeRun(deps, arg);
  if (!requireTrust('Resume Training')) return;
  const runDir = arg.run.path;
  const later = (await checkpointsOf(runDir)).filter((step) => step > arg.checkpoint.step);
  if (later.length > 0) {
    const choice = await vscode.window.showWarningMessage(
      `Resume ${arg.run.name} from checkpoint-${arg.checkpoint.step}?`,
      { modal: true, detail: `Training restarts at step ${arg.checkpoint.step}. The later checkpoints (${later.map((s) => `checkpoint-${s}`).join(', ')}) stay until the run saves over them or the save limit removes them.` },
      'Resume',
    );
    if (choice !== 'Resume') return;
  }
  await resume(deps, runDir, `checkpoint-${arg.checkpoint.step}`);
}

export async function openTrainLog(arg?: unknown, deps?: TrainCommandDeps): Promise<void> {
  const runDir = runDirOf(arg) ?? (deps ? await pickRun(deps, 'Open Log', () => true) : undefined);
  if (!runDir) return;
  const log = join(runDir, 'train.log');
  if (!existsSync(log)) throw new Error(`no train.log in ${runDir}: only runs launched by LLaVA Studio have one`);
  await vscode.window.showTextDocument(vscode.Uri.file(log), { preview: false });
}

/** Asks for the token and keeps it in secret storage (never in settings, argv, env dumps or run files). */
export async function setHfToken(context: vscode.ExtensionContext): Promise<boolean> {
  const value = await vscode.window.showInputBox({
    title: 'Hugging Face token', password: true, ignoreFocusOut: true, placeHolder: 'hf_…',
    prompt: 'A token with write access (huggingface.co/settings/tokens). Kept in VS Code\'s secret storage; LLaVA Studio pushes finished runs with it itself, no training process ever gets it. Empty removes it.',
  });
  if (value === undefined) return false;
  if (value.trim() === '') {
    await context.secrets.delete(HF_TOKEN_SECRET);
    void vscode.window.showInformationMessage('Hugging Face token removed.');
  } else {
    await context.secrets.store(HF_TOKEN_SECRET, value.trim());
    void vscode.window.showInformationMessage('Hugging Face token saved in secret storage.');
  }
  return true;
}

const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

async function announcePush(result: PushResult): Promise<void> {
  const choice = await vscode.window.showInformationMessage(`Pushed ${result.files.length} file(s) to ${result.repoUrl}${result.createdRepo ? ' (new repository)' : ''}.`, 'Open on the Hub');
  if (choice) void vscode.env.openExternal(vscode.Uri.parse(result.commitUrl ?? result.repoUrl));
}

/** Run folders being uploaded now: a second push of the same folder waits for the first to end. */
const pushesInFlight = new Map<string, string>();

/** Uploads final/ under a progress notification, one push per run folder at a time. */
async function pushOnce(runDir: string, repoId: string, isPrivate: boolean, token: string): Promise<PushResult | null> {
  const pushing = pushesInFlight.get(runDir);
  if (pushing) {
    void vscode.window.showInformationMessage(`${basename(runDir)} is being pushed to ${pushing} now; push again once that has finished.`);
    return null;
  }
  pushesInFlight.set(runDir, repoId);
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Pushing ${basename(runDir)} to ${repoId}` }, () =>
      pushRunToHub({ runDir, repoId, private: isPrivate, accessToken: token }));
  } finally {
    pushesInFlight.delete(runDir);
  }
}

/**
 * A run whose config has `push` finished: upload its final/ with the token from secret storage (the
 * worker never had it). Without a token, one warning offers to set it and push.
 */
export async function pushFinishedRun(deps: TrainCommandDeps, runDir: string, push: { repo_id: string; private: boolean }): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    deps.log(`push ${runDir}: the workspace is not trusted, not pushed to ${push.repo_id}`);
    return;
  }
  const token = await deps.context.secrets.get(HF_TOKEN_SECRET);
  if (!token) {
    const choice = await vscode.window.showWarningMessage(`${basename(runDir)} finished, but no Hugging Face token is set: it was not pushed to ${push.repo_id}.`, 'Set Token and Push');
    if (choice && await setHfToken(deps.context) && await deps.context.secrets.get(HF_TOKEN_SECRET)) await pushFinishedRun(deps, runDir, push);
    return;
  }
  const result = await pushOnce(runDir, push.repo_id, push.private, token);
  if (!result) return;
  deps.log(`pushed ${runDir}/final to ${result.repoUrl}`);
  await announcePush(result);
}

export async function pushToHub(deps: TrainCommandDeps, arg?: unknown): Promise<void> {
  if (!requireTrust('Push to Hub')) return;
  const runDir = runDirOf(arg) ?? await pickRun(deps, 'Push to Hub', (s) => s === 'finished');
  if (!runDir) return;
  const inFlight = pushesInFlight.get(runDir);
  if (inFlight) {
    void vscode.window.showInformationMessage(`${basename(runDir)} is being pushed to ${inFlight} now; push again once that has finished.`);
    return;
  }
  const final = join(runDir, 'final');
  if (!existsSync(final)) throw new Error(`nothing to push: ${final} does not exist (only a finished run has final/)`);
  const record = await readRunRecord(join(runDir, 'run.json')).catch(() => null);
  const repoId = await vscode.window.showInputBox({
    title: `Push ${basename(runDir)}/final to the Hugging Face Hub`, prompt: 'Model repository, namespace/name (created if it does not exist)',
    value: record?.config.push?.repo_id ?? '', placeHolder: `your-name/${basename(runDir)}`, ignoreFocusOut: true,
    validateInput: (v) => (REPO_ID.test(v.trim()) ? null : 'namespace/name, letters, digits, . _ -'),
  });
  if (!repoId) return;
  const visibility = await vscode.window.showQuickPick([{ label: 'Private', private: true }, { label: 'Public', private: false }], { title: `Visibility of ${repoId.trim()} (when it is created)` });
  if (!visibility) return;
  let token = await deps.context.secrets.get(HF_TOKEN_SECRET);
  if (!token && await setHfToken(deps.context)) token = await deps.context.secrets.get(HF_TOKEN_SECRET);
  if (!token) return;
  const result = await pushOnce(runDir, repoId.trim(), visibility.private, token);
  if (result) await announcePush(result);
}
