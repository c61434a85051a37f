/**
 * A running fine-tune in the workbench: a cancellable progress notification per run (Cancel = Stop),
 * one status-bar item for the run that changed last (click → its Scalars), and the alerts as
 * notifications whose buttons run the matching commands.
 */
import * as vscode from 'vscode';
import { TERMINAL } from '../../core/training/runRecord';
import { offeredActions } from './chatTarget';
import { formatDuration, formatLoss, progressFraction, statusBarText, type AlertAction, type AlertView, type LiveRun } from './liveState';

const ACTION_LABEL: Record<AlertAction, string> = {
  pushToHub: 'Push to Hub…',
  chatWithAdapter: 'Chat with the Fine-tuned Model',
  openScalars: 'Open Scalars',
  openLog: 'Open Log',
  stop: 'Stop Training',
  resume: 'Resume Training…',
  refit: 'Fine-tune Again with These Settings',
};

export interface LiveRunUiDeps {
  stop(runDir: string): void;
  act(action: AlertAction, run: LiveRun, view: AlertView): void;
  /** Whether a file exists (which actions a finished run can offer depends on what its final/ holds). */
  exists(path: string): boolean;
}

interface ProgressEntry {
  progress: vscode.Progress<{ message?: string; increment?: number }>;
  reported: number;
  done: () => void;
}

export class LiveRunUi implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('llavaStudio.training', vscode.StatusBarAlignment.Left, 50.2);
  private readonly stopItem = vscode.window.createStatusBarItem('llavaStudio.training.stop', vscode.StatusBarAlignment.Left, 50.1);
  private readonly progress = new Map<string, ProgressEntry>();
  private shown: string | null = null;
  /** Runs whose notification was cancelled (= stopped): no new one until the attempt ends. */
  private readonly dismissed = new Set<string>();

  constructor(private readonly deps: LiveRunUiDeps) {
    this.item.name = 'LLaVA Studio Training';
    this.stopItem.name = 'LLaVA Studio: Stop Training';
    this.stopItem.text = '$(debug-stop)';
  }

  /** A run's view changed. `ended`: its attempt is over (the notification closes). */
  update(run: LiveRun, ended: boolean): void {
    const live = !ended && !TERMINAL.has(run.status);
    if (live) {
      this.showProgress(run);
      this.showStatus(run);
    } else {
      this.progress.get(run.runDir)?.done();
      this.progress.delete(run.runDir);
      this.dismissed.delete(run.runDir);
      if (this.shown === run.runDir) {
        this.item.hide();
        this.stopItem.hide();
        this.shown = null;
      }
    }
  }

  alert(run: LiveRun, view: AlertView): void {
    const show = view.severity === 'error' ? vscode.window.showErrorMessage : view.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const actions = offeredActions(view, run, this.deps.exists);
    void show(view.message, ...actions.map((a) => ACTION_LABEL[a])).then((choice) => {
      const action = actions.find((a) => ACTION_LABEL[a] === choice);
      if (action) this.deps.act(action, run, view);
    });
  }

  dispose(): void {
    for (const entry of this.progress.values()) entry.done();
    this.progress.clear();
    this.item.dispose();
    this.stopItem.dispose();
  }

  private showStatus(run: LiveRun): void {
    const { text, tooltip } = statusBarText(run);
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.command = { command: 'llavaStudio.openScalars', title: 'Open Scalars', arguments: [run.runDir] };
    this.item.show();
    this.stopItem.tooltip = `Stop ${run.name}: it saves a checkpoint first`;
    this.stopItem.command = { command: 'llavaStudio.stopRun', title: 'Stop Training', arguments: [run.runDir] };
    if (run.stopping) this.stopItem.hide();
    else this.stopItem.show();
    this.shown = run.runDir;
  }

  private showProgress(run: LiveRun): void {
    const message = run.stopping ? 'stopping: saving a checkpoint…'
      : run.status === 'queued' ? `queued${run.slurmJobId ? ` (SLURM job ${run.slurmJobId})` : ''}`
        : run.step === null ? 'starting the worker…'
          : `step ${run.step}${run.total ? `/${run.total}` : ''} · loss ${formatLoss(run.loss)}${run.etaSeconds !== null ? ` · ETA ${formatDuration(run.etaSeconds)}` : ''}`;
    const fraction = progressFraction(run);
    const existing = this.progress.get(run.runDir);
    if (this.dismissed.has(run.runDir)) return;
    if (existing) {
      const target = fraction === null ? existing.reported : Math.round(fraction * 100);
      existing.progress.report({ message, increment: Math.max(0, target - existing.reported) });
      existing.reported = Math.max(existing.reported, target);
      return;
    }
    let entry: ProgressEntry | undefined;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Fine-tune ${run.name}`, cancellable: true }, (progress, token) =>
      new Promise<void>((resolve) => {
        entry = { progress, reported: 0, done: resolve };
        this.progress.set(run.runDir, entry);
        progress.report({ message });
        token.onCancellationRequested(() => {
          this.progress.delete(run.runDir);
          this.dismissed.add(run.runDir);
          resolve();
          this.deps.stop(run.runDir);
        });
      }));
  }
}
