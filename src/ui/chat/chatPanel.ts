import * as vscode from 'vscode';
import { isChatViewState, type ChatViewState } from '../../protocol/chat';
import type { ChatServices } from './chatServices';
import { ChatController } from './controller';
import { newConversation, type ExtraTarget, type StoredConversation, type StoredImage } from './conversation';
import { buildPanelOptions, buildWebviewOptions, CHAT_VIEW_TYPE, chatTitle, makeNonce, renderChatHtml } from './panelHtml';

const join = (base: vscode.Uri, ...parts: string[]): vscode.Uri => vscode.Uri.joinPath(base, ...parts);

/** An Ask LLaVA webview panel: thin VS Code glue around ChatController. One conversation per panel. */
export class ChatPanel {
  static readonly panels = new Set<ChatPanel>();
  /** Panels closed by the user whose conversations are still being saved (deactivation waits for them). */
  private static readonly closing = new Set<Promise<void>>();
  readonly controller: ChatController;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private closed: Promise<void> = Promise.resolve();

  /** Opens a new panel on a new conversation about `images` (possibly none: paste or drop one in). */
  static async create(extensionUri: vscode.Uri, services: ChatServices, images: StoredImage[], extra?: ExtraTarget): Promise<ChatPanel> {
    const title = chatTitle(images[0]?.name ?? (extra ? `${extra.runName}/${extra.path.split(/[\\/]/).pop()}` : null));
    const conversation = newConversation(services.deps.newConversationId(), title);
    for (const image of images) {
      if (!conversation.images.some((i) => i.id === image.id)) conversation.images.push(image);
      if (!conversation.pendingImageIds.includes(image.id)) conversation.pendingImageIds.push(image.id);
    }
    if (extra) conversation.extraTargets.push(extra);
    await services.store.save(conversation);
    void services.store.prune().catch(() => {});
    const column = vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.Active;
    const panel = vscode.window.createWebviewPanel(CHAT_VIEW_TYPE, title, column, buildPanelOptions(extensionUri, join));
    return new ChatPanel(panel, extensionUri, services, conversation, null);
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, services: ChatServices, conversation: StoredConversation, state: ChatViewState | null): ChatPanel {
    panel.webview.options = buildWebviewOptions(extensionUri, join);
    return new ChatPanel(panel, extensionUri, services, conversation, state);
  }

  /** The panel the user looked at last, for commands that add to "the" chat. */
  static active(): ChatPanel | undefined {
    return [...ChatPanel.panels].find((p) => p.panel.active);
  }

  /** A visible panel still without any image (opened from a checkpoint): the next "Ask LLaVA" image goes there. */
  static awaitingImage(): ChatPanel | undefined {
    return [...ChatPanel.panels].find((p) => p.panel.visible && p.controller.snapshot.images.length === 0 && p.controller.snapshot.turns.length === 0);
  }

  async addImages(images: StoredImage[]): Promise<void> {
    for (const image of images) await this.controller.addStoredImage(image);
    this.panel.reveal(undefined, false);
  }

  static async refreshAll(): Promise<void> {
    await Promise.all([...ChatPanel.panels].map((p) => p.controller.refreshTargets().catch(() => {})));
  }

  /** Closes every panel; resolves when their conversations are saved. */
  static async disposeAll(): Promise<void> {
    for (const panel of [...ChatPanel.panels]) void panel.dispose();
    await Promise.all([...ChatPanel.closing]);
  }

  /** Checkpoints the open panels chat with: their targets are current (the backend pool keeps those). */
  static extraTargets(): ExtraTarget[] {
    return [...ChatPanel.panels].flatMap((panel) => panel.controller.snapshot.extraTargets);
  }

  private constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, services: ChatServices, conversation: StoredConversation, state: ChatViewState | null) {
    ChatPanel.panels.add(this);
    panel.iconPath = join(extensionUri, 'media', 'llava-studio.svg');
    this.controller = new ChatController(conversation, services.deps, {
      post: (message) => { void panel.webview.postMessage(message); },
      setTitle: (title) => { panel.title = title; },
    }, state);
    const webview = panel.webview;
    const asset = (...parts: string[]): string => webview.asWebviewUri(join(extensionUri, ...parts)).toString();
    webview.html = renderChatHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: asset('dist', 'webview', 'chat.js'),
      styleUri: asset('dist', 'webview', 'chat.css'),
      codiconUri: asset('dist', 'webview', 'codicon.css'),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) => this.controller.handleMessage(message)),
      panel.onDidChangeViewState(({ webviewPanel }) => this.controller.setVisible(webviewPanel.visible)),
      panel.onDidDispose(() => void this.dispose()),
    );
  }

  /** Resolves when the conversation is saved (a running answer is stopped first). */
  dispose(): Promise<void> {
    if (this.disposed) return this.closed;
    this.disposed = true;
    ChatPanel.panels.delete(this);
    const closed = this.controller.dispose().catch(() => {});
    this.closed = closed;
    ChatPanel.closing.add(closed);
    void closed.then(() => ChatPanel.closing.delete(closed));
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
    return this.closed;
  }
}

/** Restores chat panels after a window reload: the webview's saved state names the conversation. */
export class ChatPanelSerializer implements vscode.WebviewPanelSerializer<unknown> {
  constructor(private readonly extensionUri: vscode.Uri, private readonly services: ChatServices) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const saved = isChatViewState(state) ? state : null;
    let conversation = saved ? await this.services.store.load(saved.conversationId).catch(() => null) : null;
    if (!conversation) {
      this.services.deps.log(`chat: restored panel had ${saved ? `no stored conversation ${saved.conversationId}` : 'no usable state'}; starting a new one`);
      conversation = newConversation(this.services.deps.newConversationId(), panel.title || 'Ask LLaVA');
    }
    ChatPanel.revive(panel, this.extensionUri, this.services, conversation, saved && saved.conversationId === conversation.id ? saved : null);
  }
}
