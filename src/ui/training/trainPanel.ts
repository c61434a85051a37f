import * as vscode from 'vscode';
import { isTrainViewState, type TrainDraft } from '../../protocol/train';
import { TrainController, type TrainControllerDeps } from './trainController';
import { buildPanelOptions, buildWebviewOptions, makeNonce, renderTrainHtml, TRAIN_TITLE, TRAIN_VIEW_TYPE } from './panelHtml';

const join = (base: vscode.Uri, ...parts: string[]): vscode.Uri => vscode.Uri.joinPath(base, ...parts);

/** The Fine-tune form: one panel (reopening reveals it), thin VS Code glue around TrainController. */
export class TrainPanel {
  private static current: TrainPanel | undefined;
  readonly controller: TrainController;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  /** Opens the form, or reveals it; a `draft` (a run's config to retry) replaces what it shows. */
  static createOrShow(extensionUri: vscode.Uri, deps: TrainControllerDeps, draft: () => TrainDraft, replace?: TrainDraft): TrainPanel {
    const existing = TrainPanel.current;
    if (existing) {
      existing.panel.reveal();
      if (replace) existing.controller.replaceDraft(replace);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(TRAIN_VIEW_TYPE, TRAIN_TITLE, vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.Active, buildPanelOptions(extensionUri, join));
    return new TrainPanel(panel, extensionUri, deps, replace ?? draft());
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, deps: TrainControllerDeps, draft: TrainDraft): TrainPanel {
    panel.webview.options = buildWebviewOptions(extensionUri, join);
    TrainPanel.current?.dispose();
    return new TrainPanel(panel, extensionUri, deps, draft);
  }

  /** Settings or workspace trust changed: the open form re-probes and shows what it may do now. */
  static refreshEnvironment(): void {
    TrainPanel.current?.controller.refreshEnvironment();
  }

  static disposeAll(): void {
    TrainPanel.current?.dispose();
  }

  private constructor(private readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, deps: TrainControllerDeps, draft: TrainDraft) {
    TrainPanel.current = this;
    panel.iconPath = join(extensionUri, 'media', 'llava-studio.svg');
    this.controller = new TrainController(draft, deps, (message) => { void panel.webview.postMessage(message); });
    const webview = panel.webview;
    const asset = (...parts: string[]): string => webview.asWebviewUri(join(extensionUri, ...parts)).toString();
    webview.html = renderTrainHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: asset('dist', 'webview', 'train.js'),
      styleUri: asset('dist', 'webview', 'train.css'),
      codiconUri: asset('dist', 'webview', 'codicon.css'),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) => void this.controller.handleMessage(message)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (TrainPanel.current === this) TrainPanel.current = undefined;
    this.controller.dispose();
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

/** Restores the form after a window reload from the draft the webview saved with setState. */
export class TrainPanelSerializer implements vscode.WebviewPanelSerializer<unknown> {
  constructor(private readonly extensionUri: vscode.Uri, private readonly deps: TrainControllerDeps, private readonly fresh: () => TrainDraft) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    if (!isTrainViewState(state)) this.deps.log('fine-tune: a restored form had no usable state; starting from the defaults');
    TrainPanel.revive(panel, this.extensionUri, this.deps, isTrainViewState(state) ? state.draft : this.fresh());
  }
}
