import * as vscode from 'vscode';
import { isScalarsViewState, type ExportParams, type ScalarsViewState } from '../../protocol/scalars';
import { ScalarsController, type ScalarsDeps } from './controller';
import { buildPanelOptions, buildWebviewOptions, makeNonce, panelTitle, renderHtml, renderUnrestorableHtml, SCALARS_VIEW_TYPE } from './panelHtml';

/** The panel's dependencies plus where the extension lives (for its webview resources). */
export interface ScalarsPanelDeps extends ScalarsDeps {
  extensionUri: vscode.Uri;
}

export interface OpenScalarsOptions {
  /** Start with this tag filter (regex), e.g. when opened from a tag in the Runs view. */
  tagFilter?: string;
}

const join = (base: vscode.Uri, ...parts: string[]): vscode.Uri => vscode.Uri.joinPath(base, ...parts);

/** The one set of webview options used by both createOrShow and revive. */
export function getWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return buildWebviewOptions(extensionUri, join);
}

const FILTERS: Record<ExportParams['format'], Record<string, string[]>> = {
  csv: { 'CSV': ['csv'] },
  json: { 'JSON': ['json'] },
  png: { 'PNG image': ['png'] },
};

function runSetKey(runIds: readonly string[]): string {
  return [...runIds].sort().join('\n');
}

/** A Scalars webview panel for a set of runs: thin VS Code glue around ScalarsController. */
export class ScalarsPanel {
  /** Open panels by run set, so opening the same runs again reveals the existing tab. */
  private static readonly panels = new Map<string, ScalarsPanel>();

  private readonly controller: ScalarsController;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  static createOrShow(context: vscode.ExtensionContext, runs: readonly { id: string; name: string }[], deps: ScalarsDeps, options: OpenScalarsOptions = {}): ScalarsPanel {
    const column = vscode.window.activeTextEditor?.viewColumn;
    const existing = ScalarsPanel.panels.get(runSetKey(runs.map((r) => r.id)));
    if (existing) {
      existing.panel.reveal(column);
      if (options.tagFilter !== undefined) existing.controller.setTagFilter(options.tagFilter);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(SCALARS_VIEW_TYPE, panelTitle(runs), column ?? vscode.ViewColumn.One, buildPanelOptions(context.extensionUri, join));
    const settings = deps.settings();
    const state: ScalarsViewState = {
      runIds: runs.map((r) => r.id), hiddenRuns: [], smoothing: settings.defaultSmoothing, xAxis: 'step',
      tagFilter: options.tagFilter ?? '', logY: false, ignoreOutliers: false, envelope: false, collapsedGroups: [],
    };
    return new ScalarsPanel(panel, { ...deps, extensionUri: context.extensionUri }, state);
  }

  static revive(panel: vscode.WebviewPanel, state: ScalarsViewState, deps: ScalarsPanelDeps): ScalarsPanel {
    panel.webview.options = getWebviewOptions(deps.extensionUri);
    return new ScalarsPanel(panel, deps, state);
  }

  /** Tells every open panel that shows `runPath` (or all panels) to read new points now. */
  static poke(runPath?: string): void {
    for (const panel of ScalarsPanel.panels.values()) panel.controller.poke(runPath);
  }

  static disposeAll(): void {
    for (const panel of [...ScalarsPanel.panels.values()]) panel.dispose();
  }

  private constructor(private readonly panel: vscode.WebviewPanel, private readonly deps: ScalarsPanelDeps, state: ScalarsViewState) {
    const runIds = state.runIds;
    ScalarsPanel.panels.set(runSetKey(runIds), this);
    this.controller = new ScalarsController(runIds, deps, {
      post: (message) => { void panel.webview.postMessage(message); },
      saveFile: (name, format, data) => this.saveFile(runIds[0], name, format, data),
    }, state);
    const webview = panel.webview;
    const asset = (...parts: string[]): string => webview.asWebviewUri(join(deps.extensionUri, ...parts)).toString();
    webview.html = renderHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: asset('dist', 'webview', 'scalars.js'),
      styleUri: asset('dist', 'webview', 'scalars.css'),
      codiconUri: asset('dist', 'webview', 'codicon.css'),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) => this.controller.handleMessage(message)),
      panel.onDidChangeViewState(({ webviewPanel }) => this.controller.setVisible(webviewPanel.visible)),
      panel.onDidDispose(() => this.dispose()),
    );
    void this.retitle(runIds);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const key = runSetKey(this.controller.runIds);
    if (ScalarsPanel.panels.get(key) === this) ScalarsPanel.panels.delete(key);
    this.controller.dispose();
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }

  private async retitle(runIds: readonly string[]): Promise<void> {
    try {
      const infos = await this.deps.listRuns();
      const names = runIds.map((id) => ({ name: infos.find((r) => r.path === id)?.name ?? id.split(/[\\/]/).pop() ?? id }));
      this.panel.title = panelTitle(names);
    } catch (error) {
      this.deps.log(`scalars: could not list runs: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async saveFile(firstRun: string | undefined, name: string, format: ExportParams['format'], data: Uint8Array): Promise<string | undefined> {
    const folder = firstRun ? vscode.Uri.file(firstRun) : vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({
      defaultUri: folder ? join(folder, name) : vscode.Uri.file(name),
      filters: FILTERS[format],
      saveLabel: 'Export',
      title: `Export ${name}`,
    });
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, data);
    return uri.scheme === 'file' ? uri.fsPath : uri.toString();
  }
}

/** Restores Scalars panels after a window reload from the state the webview saved with setState. */
export class ScalarsPanelSerializer implements vscode.WebviewPanelSerializer<unknown> {
  constructor(private readonly deps: ScalarsPanelDeps) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    if (!isScalarsViewState(state) || state.runIds.length === 0) {
      this.deps.log('scalars: a restored panel had no usable state; showing a note instead');
      panel.webview.options = { enableScripts: false, localResourceRoots: [] };
      panel.webview.html = renderUnrestorableHtml(panel.webview.cspSource);
      return;
    }
    // Webview state is not trusted with host paths: keep only folders the run index knows.
    await this.deps.whenRunsKnown?.();
    const known = new Set((await this.deps.listRuns()).map((run) => run.path));
    const runIds = state.runIds.filter((id) => known.has(id));
    if (runIds.length === 0) {
      this.deps.log(`scalars: a restored panel showed runs that are no longer known (${state.runIds.length}); showing a note instead`);
      panel.webview.options = { enableScripts: false, localResourceRoots: [] };
      panel.webview.html = renderUnrestorableHtml(panel.webview.cspSource);
      return;
    }
    ScalarsPanel.revive(panel, { ...state, runIds }, this.deps);
  }
}

/** What `registerScalarsPanel` returns: dispose it with the extension; `open` and `poke` are for commands and watchers. */
export interface ScalarsPanels extends vscode.Disposable {
  /** Opens (or reveals) the Scalars panel of these run folders. */
  open(runIds: readonly string[], options?: OpenScalarsOptions): Promise<void>;
  /** A run's files changed: panels showing it read new points now. No argument: every panel. */
  poke(runPath?: string): void;
}

/** Registers the serializer; returns the panel entry points. Call once from activate(). */
export function registerScalarsPanel(context: vscode.ExtensionContext, deps: ScalarsDeps): ScalarsPanels {
  const full: ScalarsPanelDeps = { ...deps, extensionUri: context.extensionUri };
  const serializer = vscode.window.registerWebviewPanelSerializer(SCALARS_VIEW_TYPE, new ScalarsPanelSerializer(full));
  return {
    async open(runIds, options) {
      const ids = [...new Set(runIds)];
      if (ids.length === 0) return;
      const infos = await deps.listRuns();
      const runs = ids.map((id) => ({ id, name: infos.find((r) => r.path === id)?.name ?? id.split(/[\\/]/).pop() ?? id }));
      ScalarsPanel.createOrShow(context, runs, deps, options);
    },
    poke: (runPath) => ScalarsPanel.poke(runPath),
    dispose: () => {
      serializer.dispose();
      ScalarsPanel.disposeAll();
    },
  };
}
