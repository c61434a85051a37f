/**
 * Wires LoRA fine-tuning into VS Code: the Fine-tune form (and its serializer), the training commands,
 * the live-run status bar and notifications, the push of finished runs that ask for one, and the
 * reattach to runs that outlived a window reload (only in a trusted workspace: it runs squeue/scontrol
 * with job ids from run.json files and rewrites them). Call once from activate():
 *   context.subscriptions.push(...registerTraining(context, { index, pokeRun, refreshRuns, openScalars, log, ready }));
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RunIndex } from '../../core/runs/runIndex';
import { readRunRecord } from '../../core/training/runRecord';
import { Supervisor } from '../../core/training/supervisor';
import { chatCheckpointOf, PROJECTOR_FILE } from './chatTarget';
import { applySuggestion, draftFromConfig, initialDraft, runFolderName } from './formModel';
import { LiveRunUi } from './liveRunUi';
import type { AlertAction, AlertView, LiveRun } from './liveState';
import { TRAIN_VIEW_TYPE } from './panelHtml';
import { openTrainLog, pushFinishedRun, pushToHub, resumeFromCheckpoint, resumeRun, setHfToken, stopRun, type TrainCommandDeps } from './trainCommands';
import { TrainingRuns } from './trainingRuns';
import { TrainPanel, TrainPanelSerializer } from './trainPanel';
import { trainControllerDeps } from './trainServices';
import { onceTrusted } from './trustGate';

export interface RegisterTrainingDeps {
  index: RunIndex;
  /** A run's files changed: its Runs-view node and open Scalars panels re-read it. */
  pokeRun(runPath: string): void;
  /** Rescan the run roots (a new run folder appeared). */
  refreshRuns(): void | Promise<void>;
  openScalars(runPaths: string[]): void;
  log(message: string): void;
  /** Resolves after the run index's first scan: live runs are reattached then. */
  ready?: Promise<unknown>;
}

export const TRAIN_COMMANDS = {
  startFineTune: 'llavaStudio.startFineTune',
  stopRun: 'llavaStudio.stopRun',
  resumeRun: 'llavaStudio.resumeRun',
  resumeFromCheckpoint: 'llavaStudio.resumeFromCheckpoint',
  openTrainLog: 'llavaStudio.openTrainLog',
  pushToHub: 'llavaStudio.pushToHub',
  setHfToken: 'llavaStudio.setHfToken',
} as const;

const settings = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('llavaStudio');
const graceSeconds = (): number => Math.max(0, settings().get<number>('training.stopGraceSeconds', 120));

function report(error: unknown): void {
  void vscode.window.showErrorMessage(`LLaVA Studio: ${error instanceof Error ? error.message : String(error)}`);
}

export function registerTraining(context: vscode.ExtensionContext, deps: RegisterTrainingDeps): vscode.Disposable[] {
  const nativeBin = join(context.extensionPath, 'native-bin');
  const freshDraft = () => initialDraft(settings().get<string>('training.defaultPreset', 'llava-lora') || null, `runs/${runFolderName('finetune', 'lora', new Date())}`);
  const guard = <A extends unknown[]>(run: (...args: A) => Promise<unknown>) => (...args: A) => run(...args).catch(report);

  let ui: LiveRunUi;
  const runs = new TrainingRuns({
    createSupervisor: (runDir) => new Supervisor(runDir, { stopGraceMs: graceSeconds() * 1000 }),
    graceMs: () => graceSeconds() * 1000,
    onChange: (run, ended) => ui.update(run, ended),
    onAlert: (run, view) => ui.alert(run, view),
    onFinished: (run, record) => {
      if (record.config.push) void pushFinishedRun(commandDeps, run.runDir, record.config.push).catch(report);
    },
    pokeRun: deps.pokeRun,
    refreshRuns: () => void Promise.resolve(deps.refreshRuns()).catch((error: unknown) => deps.log(`refresh runs: ${(error as Error).message}`)),
    log: deps.log,
  });
  const commandDeps: TrainCommandDeps = { context, index: deps.index, runs, graceSeconds, log: deps.log };

  const controllerDeps = trainControllerDeps({
    context, nativeBin, log: deps.log,
    launch: async (request) => { await runs.launch(request); },
    runAction: (action, runDir) => {
      if (action === 'scalars') deps.openScalars([runDir]);
      else if (action === 'log') void openTrainLog(runDir).catch(report);
      else void stopRun(commandDeps, runDir).catch(report);
    },
  });
  const openForm = (replace?: ReturnType<typeof freshDraft>): void => void TrainPanel.createOrShow(context.extensionUri, controllerDeps, freshDraft, replace);

  /** A failed run's config with the settings that would fit, in a new run folder. */
  const refit = async (run: LiveRun, view: AlertView): Promise<void> => {
    const record = await readRunRecord(join(run.runDir, 'run.json'));
    const draft = applySuggestion(draftFromConfig(record.config, freshDraft()), view.changes ?? {});
    openForm({ ...draft, outputDir: join(record.config.output_dir, '..', runFolderName(record.config.model, draft.method, new Date())) });
  };
  const act = (action: AlertAction, run: LiveRun, view: AlertView): void => {
    const go: Record<AlertAction, () => PromiseLike<unknown> | void> = {
      pushToHub: () => pushToHub(commandDeps, run.runDir),
      chatWithAdapter: async () => {
        const record = await readRunRecord(join(run.runDir, 'run.json')).catch(() => null);
        const target = chatCheckpointOf(run, existsSync, record?.config.model ?? null);
        if (!target) throw new Error(`nothing to chat with in ${run.finalDir ?? run.lastCheckpoint ?? run.runDir}: no adapter_config.json or ${PROJECTOR_FILE}`);
        return vscode.commands.executeCommand('llavaStudio.chatWithCheckpoint', target);
      },
      openScalars: () => deps.openScalars([run.runDir]),
      openLog: () => openTrainLog(run.runDir),
      stop: () => stopRun(commandDeps, run.runDir),
      resume: () => resumeRun(commandDeps, run.runDir),
      refit: () => refit(run, view),
    };
    void Promise.resolve().then(go[action]).catch(report);
  };
  ui = new LiveRunUi({ stop: (runDir) => void stopRun(commandDeps, runDir).catch(report), act, exists: existsSync });

  // Runs that outlived the last window: follow the live ones, record the dead ones as crashed (with the
  // log's last lines). Only once the workspace is trusted: run.json files are the workspace's to write.
  const reattach = async (): Promise<void> => {
    await deps.ready;
    for (const run of deps.index.summaries().filter((r) => r.source === 'llava-studio' && (r.status === 'live' || r.status === 'queued' || r.status === 'unknown'))) {
      const found = await runs.reattach(run.path).catch((error: unknown) => {
        deps.log(`reattach ${run.path}: ${(error as Error).message}`);
        return null;
      });
      if (found) deps.log(`reattach ${run.path}: ${found.result} (${found.run.status})`);
    }
  };
  const reattachWhenTrusted = onceTrusted(vscode.workspace, () => void reattach());

  return [
    reattachWhenTrusted,
    ui,
    { dispose: () => runs.dispose() },
    vscode.window.registerWebviewPanelSerializer(TRAIN_VIEW_TYPE, new TrainPanelSerializer(context.extensionUri, controllerDeps, freshDraft)),
    vscode.commands.registerCommand(TRAIN_COMMANDS.startFineTune, () => openForm()),
    vscode.commands.registerCommand(TRAIN_COMMANDS.stopRun, guard((arg?: unknown) => stopRun(commandDeps, arg))),
    vscode.commands.registerCommand(TRAIN_COMMANDS.resumeRun, guard((arg?: unknown) => resumeRun(commandDeps, arg))),
    vscode.commands.registerCommand(TRAIN_COMMANDS.resumeFromCheckpoint, guard((arg?: unknown) => resumeFromCheckpoint(commandDeps, arg))),
    vscode.commands.registerCommand(TRAIN_COMMANDS.openTrainLog, guard((arg?: unknown) => openTrainLog(arg, commandDeps))),
    vscode.commands.registerCommand(TRAIN_COMMANDS.pushToHub, guard((arg?: unknown) => pushToHub(commandDeps, arg))),
    vscode.commands.registerCommand(TRAIN_COMMANDS.setHfToken, guard(() => setHfToken(context))),
    vscode.workspace.onDidChangeConfiguration((event) => { if (event.affectsConfiguration('llavaStudio.python')) TrainPanel.refreshEnvironment(); }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => TrainPanel.refreshEnvironment()),
    { dispose: () => TrainPanel.disposeAll() },
  ];
}
