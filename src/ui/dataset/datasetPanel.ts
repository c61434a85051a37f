/**
 * The Dataset Preview webview in VS Code: a panel (command, Explorer menu; restored by the serializer)
 * or a custom editor (Open With…). Thin glue around DatasetController; the session and everything it
 * loads (hyparquet, arrow, sharp, transformers.js) come through the dataset core, on first use.
 */
import * as vscode from 'vscode';
import { isDatasetViewState, type DatasetViewState } from '../../protocol/dataset';
import { DatasetController, initialViewState, panelTitle, type DatasetControllerDeps } from './controller';
import { buildPanelOptions, buildWebviewOptions, DATASET_VIEW_TYPE, makeNonce, renderDatasetHtml, renderUnrestorableHtml } from './panelHtml';
import { DatasetSession, type SessionDeps } from './session';

/** What every panel shares: where the extension lives, the thumbnail caches, VS Code actions. */
export interface DatasetServices extends SessionDeps {
  extensionUri: vscode.Uri;
  actions: Omit<DatasetControllerDeps, 'openSession' | 'log'>;
}

const join = (base: vscode.Uri, ...parts: string[]): vscode.Uri => vscode.Uri.joinPath(base, ...parts);

export function getWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return buildWebviewOptions(extensionUri, join);
}

const keyOf = (path: string, split: string | null): string => `${path}\n${split ?? ''}`;

export class DatasetPanel {
  /** Command-opened panels by dataset (and split), so opening the same one again reveals it. */
  private static readonly panels = new Map<string, DatasetPanel>();
  /** Every live panel and editor, for settings changes and disposal. */
  private static readonly all = new Set<DatasetPanel>();

  private readonly controller: DatasetController;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private key: string | null = null;

  static createOrShow(services: DatasetServices, path: string, split: string | null = null): DatasetPanel {
    const column = vscode.window.activeTextEditor?.viewColumn;
    const existing = [...DatasetPanel.panels.entries()].find(([key]) => key.startsWith(`${path}\n`) && (split === null || key === keyOf(path, split)))?.[1];
    if (existing) {
      existing.panel.reveal(column);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(DATASET_VIEW_TYPE, panelTitle(path, split), column ?? vscode.ViewColumn.One, buildPanelOptions(services.extensionUri, join));
    return new DatasetPanel(panel, services, initialViewState(path, split), true);
  }

  static revive(panel: vscode.WebviewPanel, state: DatasetViewState, services: DatasetServices): DatasetPanel {
    panel.webview.options = getWebviewOptions(services.extensionUri);
    return new DatasetPanel(panel, services, state, true);
  }

  /** A custom editor's webview (Open With… → Dataset Preview): VS Code owns its title and lifetime. */
  static attach(panel: vscode.WebviewPanel, path: string, services: DatasetServices): DatasetPanel {
    panel.webview.options = getWebviewOptions(services.extensionUri);
    return new DatasetPanel(panel, services, initialViewState(path), false);
  }

  static settingsChanged(): void {
    for (const panel of DatasetPanel.all) panel.controller.settingsChanged();
  }

  static disposeAll(): void {
    for (const panel of [...DatasetPanel.all]) panel.dispose();
  }

  private constructor(private readonly panel: vscode.WebviewPanel, services: DatasetServices, state: DatasetViewState, ownsTitle: boolean) {
    DatasetPanel.all.add(this);
    if (ownsTitle) {
      this.key = keyOf(state.path, state.split);
      DatasetPanel.panels.set(this.key, this);
    }
    const deps: DatasetControllerDeps = {
      ...services.actions,
      openSession: (params, events) => DatasetSession.open(params, services, events),
      log: services.log,
    };
    this.controller = new DatasetController(state, deps, {
      post: (message) => { void panel.webview.postMessage(message); },
      setTitle: (title) => {
        if (!ownsTitle || this.disposed) return;
        panel.title = title;
        // The split is known once opened: re-key so "Preview Dataset" on the same folder finds this panel.
        if (this.key) DatasetPanel.panels.delete(this.key);
        this.key = keyOf(this.controller.state.path, this.controller.state.split);
        DatasetPanel.panels.set(this.key, this);
      },
    });
    const webview = panel.webview;
    const asset = (...parts: string[]): string => webview.asWebviewUri(join(services.extensionUri, ...parts)).toString();
    webview.html = renderDatasetHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: asset('dist', 'webview', 'dataset.js'),
      styleUri: asset('dist', 'webview', 'dataset.css'),
      codiconUri: asset('dist', 'webview', 'codicon.css'),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) => this.controller.handleMessage(message)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    DatasetPanel.all.delete(this);
    if (this.key && DatasetPanel.panels.get(this.key) === this) DatasetPanel.panels.delete(this.key);
    this.controller.dispose();
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

/** Restores Dataset Preview panels after a window reload from the state the webview saved. */
export class DatasetPanelSerializer implements vscode.WebviewPanelSerializer<unknown> {
  constructor(private readonly services: DatasetServices) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    if (!isDatasetViewState(state)) {
      this.services.log('dataset preview: a restored panel had no usable state; showing a note instead');
      panel.webview.options = { enableScripts: false, localResourceRoots: [] };
      panel.webview.html = renderUnrestorableHtml(panel.webview.cspSource);
      return;
    }
    DatasetPanel.revive(panel, state, this.services);
  }
}

/** "Open With… → Dataset Preview" for .jsonl and .parquet files; read-only, never the default editor. */
export class DatasetEditorProvider implements vscode.CustomReadonlyEditorProvider<vscode.CustomDocument> {
  constructor(private readonly services: DatasetServices) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    if (document.uri.scheme !== 'file') {
      panel.webview.html = renderUnrestorableHtml(panel.webview.cspSource).replace(/<p>.*<\/p>/, '<p>Dataset Preview reads local files only.</p>');
      return;
    }
    DatasetPanel.attach(panel, document.uri.fsPath, this.services);
  }
}
