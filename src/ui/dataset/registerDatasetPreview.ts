/**
 * Wires the Dataset Preview into VS Code. Call once from activate():
 *   context.subscriptions.push(...registerDatasetPreview(context, { log: (m) => output.warn(m) }));
 * Nothing heavy loads here: the dataset core brings in hyparquet/arrow/sharp/transformers.js on first use.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { ThumbnailCache } from '../../core/images/thumbnails';
import { chooseDataset, targetOf, validateWithProgress } from './datasetCommands';
import { trackDatasetFolders } from './datasetFolders';
import { DatasetEditorProvider, DatasetPanel, DatasetPanelSerializer, type DatasetServices } from './datasetPanel';
import { DATASET_EDITOR_VIEW_TYPE, DATASET_VIEW_TYPE } from './panelHtml';
import { panelActions } from './vscodeActions';

export interface RegisterDatasetDeps {
  log(message: string): void;
}

export const DATASET_COMMANDS = {
  preview: 'llavaStudio.previewDataset',
  validate: 'llavaStudio.validateDataset',
} as const;

export function registerDatasetPreview(context: vscode.ExtensionContext, deps: RegisterDatasetDeps): vscode.Disposable[] {
  const storage = context.globalStorageUri.fsPath;
  const services: DatasetServices = {
    extensionUri: context.extensionUri,
    thumbnails: new ThumbnailCache({ cacheDir: join(storage, 'thumbnails') }),
    fullImages: new ThumbnailCache({ cacheDir: join(storage, 'thumbnails'), size: 1600, concurrency: 1 }),
    actions: panelActions(),
    log: deps.log,
  };
  const diagnostics = vscode.languages.createDiagnosticCollection('llavaStudio.datasets');
  const tracked = trackDatasetFolders(deps.log);
  const report = (what: string) => (error: unknown): void => {
    void vscode.window.showErrorMessage(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  };
  const preview = async (arg?: unknown): Promise<void> => {
    const path = targetOf(arg) ?? (await chooseDataset('Preview Dataset', tracked.folders));
    if (path) DatasetPanel.createOrShow(services, path);
  };
  const validate = async (arg?: unknown): Promise<void> => {
    const path = targetOf(arg) ?? (await chooseDataset('Validate Dataset', tracked.folders));
    if (path) await validateWithProgress(path, diagnostics, (p) => DatasetPanel.createOrShow(services, p));
  };
  return [
    vscode.commands.registerCommand(DATASET_COMMANDS.preview, (arg?: unknown) => preview(arg).catch(report('Preview Dataset'))),
    vscode.commands.registerCommand(DATASET_COMMANDS.validate, (arg?: unknown) => validate(arg).catch(report('Validate Dataset'))),
    vscode.window.registerWebviewPanelSerializer(DATASET_VIEW_TYPE, new DatasetPanelSerializer(services)),
    vscode.window.registerCustomEditorProvider(DATASET_EDITOR_VIEW_TYPE, new DatasetEditorProvider(services), {
      supportsMultipleEditorsPerDocument: true,
      webviewOptions: { retainContextWhenHidden: false },
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('llavaStudio.datasets')) DatasetPanel.settingsChanged();
    }),
    diagnostics,
    ...tracked.disposables,
    { dispose: () => DatasetPanel.disposeAll() },
  ];
}
