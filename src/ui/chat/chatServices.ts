/** What every chat panel shares: storage, the backend pool, target listing and the VS Code dialogs. */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { createChatBackend } from '../../core/chat';
import { BackendPool } from './backendPool';
import { chatSettings } from './chatSettings';
import type { ChatDeps } from './controller';
import { ConversationStore, newConversationId } from './conversationStore';
import { chooseDatasetFile } from './datasetPicker';
import { ImageImporter } from './imageImport';
import { listTargets, type ResolvedTarget } from './targets';
import type { PanelAction } from '../../protocol/chat';
import type { ExtraTarget } from './conversation';
import { IMAGE_NAME } from './imageFiles';
import { withApiKey } from './openaiKey';

export interface ChatActions {
  /** Downloads a shortlisted model (progress notification); true when it is ready to use. */
  downloadModel(repo?: string): Promise<boolean>;
  useLocalFolder(): Promise<boolean>;
  setOpenAiKey(): Promise<boolean>;
}

export interface ChatServices {
  deps: ChatDeps;
  store: ConversationStore;
  images: ImageImporter;
  pool: BackendPool;
  modelsDir: string;
  /** After a settings or trust change: stops pooled backends that no target of the settings or of `extras` uses now. */
  retainCurrentBackends(extras: readonly ExtraTarget[]): Promise<void>;
}

export const IMAGE_FILTERS = { Images: ['png', 'jpg', 'jpeg', 'webp', 'gif', 'bmp', 'tif', 'tiff'] };

export function workspaceFolderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

export async function pickImageFile(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: IMAGE_FILTERS, openLabel: 'Ask LLaVA', title: 'Pick an image to ask about' });
  const uri = picked?.[0];
  if (!uri) return undefined;
  if (!IMAGE_NAME.test(uri.fsPath)) throw new Error(`${uri.fsPath} is not an image (png, jpg, webp, gif, bmp, tiff)`);
  return uri.fsPath;
}

export function createChatServices(context: vscode.ExtensionContext, actions: ChatActions, log: (message: string) => void): ChatServices {
  const storageRoot = (context.storageUri ?? context.globalStorageUri).fsPath;
  const modelsDir = join(context.globalStorageUri.fsPath, 'models');
  const store = new ConversationStore(join(storageRoot, 'chat', 'conversations'));
  const images = new ImageImporter({ storageDir: join(storageRoot, 'chat', 'images'), workspaceFolders: workspaceFolderPaths, pick: pickImageFile });
  const pool = new BackendPool(createChatBackend);
  const env = () => ({ settings: chatSettings(), modelsDir, extensionPath: context.extensionPath, trusted: vscode.workspace.isTrusted, inheritedPythonPath: process.env.PYTHONPATH });

  const backend = async (target: ResolvedTarget) => {
    if (!target.config) throw new Error(target.info.problem ?? `${target.info.label} is not available`);
    if (target.config.kind === 'worker' && !vscode.workspace.isTrusted) throw new Error('Restricted Mode: the Python worker is not started in an untrusted workspace');
    let config = target.config;
    // Only the key stored for this base URL's origin: settings pointing elsewhere get none.
    if (target.wantsApiKey && config.kind === 'openai') config = await withApiKey(config, (name) => context.secrets.get(name));
    return pool.get(config);
  };

  const runAction = async (action: PanelAction): Promise<boolean> => {
    switch (action.name) {
      case 'downloadModel': return actions.downloadModel(action.repo);
      case 'useLocalFolder': return actions.useLocalFolder();
      case 'setOpenAiKey': return actions.setOpenAiKey();
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'llavaStudio.chat');
        return false;
      case 'newChat':
        return false;
    }
  };

  const deps: ChatDeps = {
    listTargets: (extras) => listTargets(env(), extras),
    backend,
    store,
    images,
    trusted: () => vscode.workspace.isTrusted,
    copyText: async (text) => vscode.env.clipboard.writeText(text),
    chooseDatasetFile: () => chooseDatasetFile(context.workspaceState),
    runAction,
    newConversationId,
    log,
  };
  const retainCurrentBackends = async (extras: readonly ExtraTarget[]) => {
    const { targets } = await listTargets(env(), extras);
    await pool.retain(targets.flatMap((t) => (t.config ? [t.config] : [])));
  };
  return { deps, store, images, pool, modelsDir, retainCurrentBackends };
}
