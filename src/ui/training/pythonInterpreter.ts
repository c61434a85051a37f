import * as vscode from 'vscode';
import { homedir } from 'node:os';
import type { PythonView } from '../../protocol/train';

/** The slice of the Python extension's API used here (ms-python.python `environments`). */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string } | undefined;
    resolveEnvironment?(env: { id: string; path: string } | string): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
}

const DEFAULT_PYTHON = 'python3';
const expandHome = (path: string): string => (path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path);

async function fromPythonExtension(): Promise<string | null> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!extension) return null;
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const environments = api?.environments;
    const active = environments?.getActiveEnvironmentPath(vscode.workspace.workspaceFolders?.[0]?.uri);
    if (!active?.path) return null;
    const resolved = await environments?.resolveEnvironment?.(active).catch(() => undefined);
    return resolved?.executable?.uri?.fsPath ?? active.path;
  } catch {
    return null; // an older or broken Python extension: fall back to the setting
  }
}

/**
 * The interpreter for the worker. `llavaStudio.python`, when someone set it, wins (it is the one place to
 * say "train with this one", whatever the editor uses); otherwise the Python extension's active
 * environment; otherwise `python3` from PATH. VS Code ignores a workspace's value of this restricted
 * setting in an untrusted workspace.
 */
export async function resolvePython(): Promise<PythonView> {
  const configured = vscode.workspace.getConfiguration('llavaStudio').get<string>('python', DEFAULT_PYTHON).trim();
  if (configured && configured !== DEFAULT_PYTHON) return { path: expandHome(configured), source: 'setting' };
  const fromExtension = await fromPythonExtension();
  if (fromExtension) return { path: fromExtension, source: 'python-extension' };
  return { path: configured || DEFAULT_PYTHON, source: 'default' };
}
