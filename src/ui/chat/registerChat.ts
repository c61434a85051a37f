/**
 * Wires Ask LLaVA into VS Code: the panel serializer, the commands and the listeners that keep open
 * panels' model lists current. Call once from activate():
 *   context.subscriptions.push(...registerChat(context, { log: (m) => output.warn(m) }));
 * and let deactivate() wait for the conversations to be saved and the workers to stop:
 *   export function deactivate(): Promise<void> { return flushChat(); }
 */
import * as vscode from 'vscode';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { ChatPanel, ChatPanelSerializer } from './chatPanel';
import { createChatServices, pickImageFile, workspaceFolderPaths, type ChatServices } from './chatServices';
import { affectsChat, chatSettings, openaiBaseUrlSource } from './chatSettings';
import type { ExtraTarget, StoredImage } from './conversation';
import { isImageName, isInside } from './imageFiles';
import { downloadChatModel, useLocalModelFolder } from './modelDownload';
import { LEGACY_OPENAI_KEY_SECRET, openAiKeySecretFor } from './openaiKey';
import { CHAT_VIEW_TYPE } from './panelHtml';

export interface RegisterChatDeps {
  log(message: string): void;
}

export const CHAT_COMMANDS = {
  askLlava: 'llavaStudio.askLlava',
  chatWithCheckpoint: 'llavaStudio.chatWithCheckpoint',
  setOpenAiKey: 'llavaStudio.setOpenAiKey',
  downloadChatModel: 'llavaStudio.downloadChatModel',
} as const;

function report(error: unknown): void {
  void vscode.window.showErrorMessage(`Ask LLaVA: ${error instanceof Error ? error.message : String(error)}`);
}

/** Explorer passes (clicked, all selected); other callers pass one Uri or nothing. */
function urisOf(arg: unknown, all: unknown): vscode.Uri[] {
  const list = Array.isArray(all) && all.length > 0 ? all : arg instanceof vscode.Uri ? [arg] : [];
  return list.filter((u): u is vscode.Uri => u instanceof vscode.Uri && isImageName(u.path));
}

async function imageFromUserPath(services: ChatServices, path: string): Promise<StoredImage> {
  const inWorkspace = workspaceFolderPaths().some((folder) => isInside(folder, path));
  return services.images.fromPath(path, inWorkspace ? 'workspace' : 'picked');
}

/** The image shown in the active editor tab, if any (the built-in image preview is a custom editor). */
function activeImage(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText ? input.uri : undefined;
  return uri && uri.scheme === 'file' && isImageName(uri.path) ? uri : undefined;
}

type Choice = vscode.QuickPickItem & { run: () => Promise<StoredImage[] | null> };

/** From the command palette: the open image, a picked file, a paste into the panel, or a typed path/URL. */
async function chooseImages(services: ChatServices): Promise<StoredImage[] | null | undefined> {
  const choices: Choice[] = [];
  const open = activeImage();
  if (open) choices.push({ label: `$(file-media) ${basename(open.fsPath)}`, description: 'the open image', run: async () => [await imageFromUserPath(services, open.fsPath)] });
  choices.push(
    { label: '$(folder-opened) Pick an image file…', run: async () => {
      const path = await pickImageFile();
      return path ? [await imageFromUserPath(services, path)] : null;
    } },
    { label: '$(clippy) Paste an image…', description: 'opens the chat; press Ctrl+V (⌘V) there', run: async () => [] },
    { label: '$(link) Enter a path or URL…', run: async () => {
      const base = workspaceFolderPaths()[0];
      const value = await vscode.window.showInputBox({ title: 'Ask LLaVA about…', prompt: 'An image path (absolute, or relative to the workspace) or an http(s) URL', ignoreFocusOut: true });
      if (!value?.trim()) return null;
      const text = value.trim();
      if (/^https?:\/\//i.test(text)) return [await services.images.fromUrl(text)];
      const path = isAbsolute(text) ? text : base ? join(base, text) : text;
      if (!isAbsolute(path)) throw new Error(`open a folder or give an absolute path: ${text}`);
      return [await imageFromUserPath(services, path)];
    } },
  );
  const choice = await vscode.window.showQuickPick(choices, { title: 'Ask LLaVA about an image' });
  return choice ? choice.run() : undefined;
}

function checkpointTarget(node: unknown): ExtraTarget | null {
  const n = node as { checkpoint?: { path?: unknown; hasAdapter?: unknown }; run?: { name?: unknown } } | undefined;
  const path = n?.checkpoint?.path;
  if (typeof path !== 'string') return null;
  const runName = typeof n?.run?.name === 'string' ? n.run.name : basename(dirname(path));
  return { kind: 'checkpoint', path, runName, hasAdapter: n?.checkpoint?.hasAdapter === true };
}

/** Asks for the key of the configured base URL's origin and keeps it under that origin only. */
async function setOpenAiKey(secrets: vscode.SecretStorage): Promise<boolean> {
  const baseUrl = chatSettings().openaiBaseUrl.trim();
  if (!baseUrl) throw new Error('set llavaStudio.chat.openai.baseUrl first (e.g. http://localhost:8000/v1): a key is kept for one server origin');
  const { origin, secret } = openAiKeySecretFor(baseUrl);
  const fromWorkspace = openaiBaseUrlSource() === 'workspace' ? ' (the base URL comes from this workspace\'s settings)' : '';
  const value = await vscode.window.showInputBox({
    title: `API key for ${origin}`,
    prompt: `Kept in VS Code's secret storage for ${origin} only${fromWorkspace}, and sent only as an Authorization header to that origin. Leave empty to remove the key for ${origin}.`,
    password: true, ignoreFocusOut: true, placeHolder: 'sk-…',
  });
  if (value === undefined) return false;
  // A key from before keys were per origin is never sent (its origin is unknown): drop it.
  await secrets.delete(LEGACY_OPENAI_KEY_SECRET);
  if (value.trim() === '') {
    await secrets.delete(secret);
    void vscode.window.showInformationMessage(`API key for ${origin} removed.`);
  } else {
    await secrets.store(secret, value.trim());
    void vscode.window.showInformationMessage(`API key for ${origin} saved in secret storage.`);
  }
  return true;
}

/** Set by registerChat: closes the panels, saves their conversations and stops the backends, once. */
let shutdown: (() => Promise<void>) | null = null;
let shutdownDone: Promise<void> | null = null;

/**
 * For deactivate(): resolves when every chat conversation is saved (answers being generated are
 * stopped, their text kept) and every chat worker has stopped. Safe to call more than once, and
 * before or after the subscriptions are disposed.
 */
export function flushChat(): Promise<void> {
  if (!shutdownDone && shutdown) shutdownDone = shutdown();
  return shutdownDone ?? Promise.resolve();
}

export function registerChat(context: vscode.ExtensionContext, deps: RegisterChatDeps): vscode.Disposable[] {
  let services: ChatServices;
  const actions = {
    downloadModel: async (repo?: string) => {
      const ok = await downloadChatModel(services.modelsDir, repo, deps.log);
      if (ok) await ChatPanel.refreshAll();
      return ok;
    },
    useLocalFolder: useLocalModelFolder,
    setOpenAiKey: () => setOpenAiKey(context.secrets),
  };
  services = createChatServices(context, actions, deps.log);
  const open = async (images: StoredImage[], extra?: ExtraTarget) => {
    // "Chat with this Checkpoint" opens a panel without an image; the next image asked about goes there.
    const waiting = images.length > 0 && !extra ? ChatPanel.awaitingImage() : undefined;
    if (waiting) await waiting.addImages(images);
    else await ChatPanel.create(context.extensionUri, services, images, extra);
  };
  const guard = (run: (...args: unknown[]) => Promise<unknown>) => (...args: unknown[]) => run(...args).catch(report);
  shutdownDone = null;
  shutdown = async () => {
    await ChatPanel.disposeAll();
    await services.store.flush();
    await services.pool.dispose();
  };
  // Settings or trust changed: panels list the new targets, and workers for targets gone are stopped.
  const refresh = () => {
    void ChatPanel.refreshAll()
      .then(() => services.retainCurrentBackends(ChatPanel.extraTargets()))
      .catch((error: unknown) => deps.log(`chat: could not stop outdated backends: ${error instanceof Error ? error.message : String(error)}`));
  };

  return [
    vscode.window.registerWebviewPanelSerializer(CHAT_VIEW_TYPE, new ChatPanelSerializer(context.extensionUri, services)),
    vscode.commands.registerCommand(CHAT_COMMANDS.askLlava, guard(async (arg, all) => {
      const uris = urisOf(arg, all);
      if (uris.length > 0) return open(await Promise.all(uris.map((u) => imageFromUserPath(services, u.fsPath))));
      const images = await chooseImages(services);
      if (images) return open(images);
    })),
    vscode.commands.registerCommand(CHAT_COMMANDS.chatWithCheckpoint, guard(async (node) => {
      const extra = checkpointTarget(node);
      if (!extra) throw new Error('run "Chat with this Checkpoint" on a checkpoint in the LLaVA Studio Runs view');
      return open([], extra);
    })),
    vscode.commands.registerCommand(CHAT_COMMANDS.setOpenAiKey, guard(async () => {
      if (await setOpenAiKey(context.secrets)) await ChatPanel.refreshAll();
    })),
    vscode.commands.registerCommand(CHAT_COMMANDS.downloadChatModel, guard((repo) => actions.downloadModel(typeof repo === 'string' ? repo : undefined))),
    vscode.workspace.onDidChangeConfiguration((event) => { if (affectsChat(event)) refresh(); }),
    vscode.workspace.onDidGrantWorkspaceTrust(refresh),
    { dispose: () => void flushChat() },
  ];
}
