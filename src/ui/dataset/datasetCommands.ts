/**
 * "Preview Dataset" and "Validate Dataset": which dataset (Explorer selection, the active editor, or
 * a pick from the workspace), and the Validate command's run of the core validator with its results
 * in the Problems panel (JSON/JSONL lines).
 */
import * as vscode from 'vscode';
import { open } from 'node:fs/promises';
import { basename, dirname, extname, relative } from 'node:path';
import { openDataset, validateDataset, type ValidationReport } from '../../core/datasets/api';
import { problemsToDiagnostics, type LineDiagnostic } from './problemDiagnostics';
import { datasetSettings } from './vscodeActions';

export const DATASET_EXTENSIONS = ['.json', '.jsonl', '.parquet', '.arrow'];
const EXCLUDE = '**/{node_modules,.git,.venv,venv,__pycache__}/**';

/** Explorer passes (clicked, selected); the palette passes nothing. */
export function targetOf(arg: unknown): string | undefined {
  return arg instanceof vscode.Uri && arg.scheme === 'file' ? arg.fsPath : undefined;
}

/** A .json file that is a JSON array (a dataset), not a config object such as package.json. */
async function isJsonArray(path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch(() => null);
  if (!handle) return false;
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(256), 0, 256, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart().startsWith('[');
  } finally {
    await handle.close();
  }
}

type Pick = vscode.QuickPickItem & { path?: string; browse?: true };

/** The active editor's dataset file, else a pick of the workspace's datasets (or a file dialog). */
export async function chooseDataset(title: string, folders: () => readonly string[]): Promise<string | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && DATASET_EXTENSIONS.includes(extname(active.fsPath).toLowerCase()) && (extname(active.fsPath) !== '.json' || await isJsonArray(active.fsPath))) {
    return active.fsPath;
  }
  const found = await vscode.workspace.findFiles('**/*.{jsonl,parquet,arrow,json}', EXCLUDE, 500);
  const files: string[] = [];
  for (const uri of found) {
    if (uri.scheme !== 'file') continue;
    if (extname(uri.fsPath).toLowerCase() !== '.json' || await isJsonArray(uri.fsPath)) files.push(uri.fsPath);
  }
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const describe = (path: string): string => (root ? relative(root, dirname(path)) || '.' : dirname(path));
  const items: Pick[] = [
    ...folders().map((path) => ({ label: `$(folder) ${basename(path)}`, description: describe(path), path })),
    ...files.sort().map((path) => ({ label: `$(file) ${basename(path)}`, description: describe(path), path })),
    { label: '$(folder-opened) Browse…', browse: true },
  ];
  const choice = await vscode.window.showQuickPick(items, { title, placeHolder: 'A LLaVA/messages JSON or JSONL file, parquet, arrow, or a save_to_disk folder', matchOnDescription: true });
  if (!choice) return undefined;
  if (!choice.browse) return choice.path;
  const picked = await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: { Datasets: ['json', 'jsonl', 'parquet', 'arrow'] }, openLabel: 'Open' });
  return picked?.[0]?.fsPath;
}

function toDiagnostic(d: LineDiagnostic): vscode.Diagnostic {
  const severity = d.severity === 'error' ? vscode.DiagnosticSeverity.Error : d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  // The end column is clamped to the line by VS Code: the whole line is marked.
  const diagnostic = new vscode.Diagnostic(new vscode.Range(d.line, 0, d.line, Number.MAX_SAFE_INTEGER), d.message, severity);
  diagnostic.code = d.code;
  diagnostic.source = 'LLaVA Studio';
  return diagnostic;
}

const n = (value: number): string => value.toLocaleString('en-US');

/** Validates every row (images decoded, as the CLI does) with progress and cancel; problems go to the Problems panel. */
export async function validateWithProgress(path: string, diagnostics: vscode.DiagnosticCollection, openPreview: (path: string) => void): Promise<ValidationReport | undefined> {
  const settings = datasetSettings(path);
  const name = basename(path);
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Validating ${name}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      const dataset = await openDataset(path, { imageRoot: settings.imageRoot ?? undefined, signal: abort.signal });
      try {
        let last = 0;
        return await validateDataset(dataset, {
          modelDir: settings.modelDir ?? undefined, maxLength: settings.maxLength, signal: abort.signal,
          onProgress: (p) => {
            const percent = p.totalRows > 0 ? (100 * p.rowsChecked) / p.totalRows : 0;
            progress.report({ message: `${n(p.rowsChecked)} of ${n(p.totalRows)} rows, ${n(p.problems)} problems`, increment: Math.max(0, percent - last) });
            last = percent;
          },
        });
      } finally {
        await dataset.close();
      }
    },
  ).then((r) => r, (error: unknown) => {
    if ((error as Error)?.name === 'AbortError') return undefined;
    throw error;
  });
  if (!report) return undefined;
  const uri = vscode.Uri.file(path);
  const lines = report.format.endsWith('json') || report.format.endsWith('jsonl');
  if (lines) diagnostics.set(uri, problemsToDiagnostics(report.problems).map(toDiagnostic));
  const summary = `${name}: ${n(report.rows)} rows, ${n(report.problems.length)} problems in ${n(report.rowsWithProblems)} rows`;
  const actions = report.problems.length > 0 && lines ? ['Show Problems', 'Open Preview'] : ['Open Preview'];
  const note = lines || report.problems.length === 0 ? '' : ` (${report.format} rows have no lines: the preview lists them)`;
  const pick = report.problems.length > 0
    ? await vscode.window.showWarningMessage(`${summary}${note}.`, ...actions)
    : await vscode.window.showInformationMessage(`${summary}: no problems found.`, ...actions);
  if (pick === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
  if (pick === 'Open Preview') openPreview(path);
  return report;
}
