/**
 * One Ask LLaVA panel's host logic, free of vscode so it runs under plain mocha: answers `ready`
 * with the conversation, validates every request, runs answers (one column after the other in
 * compare mode), streams tokens, stops, persists, copies and appends to datasets.
 */
import type { ChatBackend } from '../../core/chat/types';
import {
  parseChatWebviewMessage, requestIdOf, type AddToDatasetParams, type AddToDatasetResult, type ChatHostMessage, type ChatViewState,
  type GenerationSettings, type ImageSource, type Onboarding, type PanelAction,
} from '../../protocol/chat';
import { Generation } from './generation';
import { conversationView, imagesUpTo, newConversation, turnView, type ExtraTarget, type StoredConversation, type StoredImage, type StoredTurn } from './conversation';
import type { ConversationStore } from './conversationStore';
import { appendToDataset } from './datasetWriter';
import type { ImageImporter } from './imageImport';
import { conversationMarkdown } from './markdown';
import type { ResolvedTarget } from './targets';

export interface ChatDeps {
  listTargets(extras: readonly ExtraTarget[]): Promise<{ targets: ResolvedTarget[]; onboarding: Onboarding }>;
  /** A (pooled) backend for a usable target. */
  backend(target: ResolvedTarget): Promise<ChatBackend>;
  store: ConversationStore;
  images: ImageImporter;
  trusted(): boolean;
  copyText(text: string): Promise<void>;
  /** Asks which messages-JSONL file to append to; undefined when cancelled. */
  chooseDatasetFile(): Promise<string | undefined>;
  /** Downloads, folder pickers, settings: things that need VS Code UI. Resolves true when something changed. */
  runAction(action: PanelAction): Promise<boolean>;
  newConversationId(): string;
  log(message: string): void;
  /** How often a streaming answer is saved (default generation.ts STREAM_SAVE_MS; tests shorten it). */
  streamSaveMs?: number;
}

/** How long dispose waits for a stopped generation to wind down (its stopped text is saved before that). */
export const DISPOSE_WAIT_MS = 3000;

export interface ChatIO {
  post(message: ChatHostMessage): void;
  setTitle(title: string): void;
}

export class ChatController {
  private viewState: ChatViewState | null;
  /** The page has said `ready` and got `init`; while hidden its page is gone and nothing is posted. */
  private live = false;
  private generation: Generation | null = null;
  private disposed = false;

  constructor(private conversation: StoredConversation, private readonly deps: ChatDeps, private readonly io: ChatIO, viewState: ChatViewState | null = null) {
    this.viewState = viewState;
  }

  get conversationId(): string {
    return this.conversation.id;
  }

  get state(): ChatViewState | null {
    return this.viewState;
  }

  get busy(): boolean {
    return this.generation?.active ?? false;
  }

  /** Resolves once the current generation has ended and been saved (Stop included). */
  whenIdle(): Promise<void> {
    return this.generation?.finished ?? Promise.resolve();
  }

  async handleMessage(raw: unknown): Promise<void> {
    let message;
    try {
      message = parseChatWebviewMessage(raw);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.deps.log(`chat: ignored ${text}`);
      const id = requestIdOf(raw);
      if (id !== null) this.io.post({ kind: 'reply', id, error: text });
      return;
    }
    if (message.kind === 'notify') {
      if (message.type === 'ready') await this.sendInit();
      else this.viewState = message.payload;
      return;
    }
    const { id } = message;
    try {
      let result: unknown;
      switch (message.method) {
        case 'send': result = await this.send(message.params.prompt, message.params.targets, message.params.settings); break;
        case 'stop': result = { stopped: this.stop() }; break;
        case 'regenerate': result = await this.regenerate(message.params.turnId, message.params.targets, message.params.settings); break;
        case 'addImage': result = await this.addImage(message.params.source); break;
        case 'removeImage': result = await this.removeImage(message.params.imageId); break;
        case 'copyMarkdown': result = await this.copyMarkdown(message.params.turnId); break;
        case 'addToDataset': result = await this.addToDataset(message.params); break;
        case 'action': result = await this.action(message.params.action); break;
      }
      this.io.post({ kind: 'reply', id, result });
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.deps.log(`chat: ${message.method} failed: ${text}`);
      this.io.post({ kind: 'reply', id, error: text });
    }
  }

  /** The tab was hidden (its page is discarded) or shown (its page says `ready` again). */
  setVisible(visible: boolean): void {
    if (!visible) this.live = false;
  }

  /** Settings or trust changed: tell the page which targets there are now. */
  async refreshTargets(): Promise<void> {
    if (!this.live) return;
    const { targets, onboarding } = await this.deps.listTargets(this.conversation.extraTargets);
    this.io.post({ kind: 'notify', type: 'targets', payload: { targets: targets.map((t) => t.info), onboarding } });
  }

  /** Adds an image chosen outside the panel (Explorer, palette) to the next prompt. */
  async addStoredImage(image: StoredImage): Promise<void> {
    await this.attach(image);
  }

  async addExtraTarget(extra: ExtraTarget): Promise<void> {
    if (!this.conversation.extraTargets.some((e) => e.path === extra.path)) this.conversation.extraTargets.push(extra);
    await this.save();
    await this.refreshTargets();
  }

  /**
   * Stops any generation and resolves once the conversation is on disk: the stopped answer's text at
   * once, the backend's final figures if it winds down within DISPOSE_WAIT_MS.
   */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.live = false;
    const generation = this.generation;
    if (!generation) return this.deps.store.flush();
    generation.stop();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<void>((resolve) => { timer = setTimeout(resolve, DISPOSE_WAIT_MS); });
    await Promise.race([generation.finished, waited.then(() => generation.stopSave)]);
    clearTimeout(timer);
    await this.deps.store.flush();
  }

  private async sendInit(): Promise<void> {
    const [{ targets, onboarding }, images] = await Promise.all([
      this.deps.listTargets(this.conversation.extraTargets),
      Promise.all(this.conversation.images.map((image) => this.deps.images.view(image))),
    ]);
    if (this.disposed) return;
    const conversation = conversationView(this.conversation, images);
    // A stream still running while the tab was hidden: its text so far is in the stored answers.
    this.io.post({ kind: 'notify', type: 'init', payload: { conversation, targets: targets.map((t) => t.info), onboarding, trusted: this.deps.trusted(), state: this.viewState, busy: this.busy } });
    this.io.setTitle(this.conversation.title);
    this.live = true;
  }

  private post(message: ChatHostMessage): void {
    if (this.live && !this.disposed) this.io.post(message);
  }

  private async save(conversation = this.conversation): Promise<void> {
    conversation.updatedAt = Date.now();
    try {
      await this.deps.store.save(conversation);
    } catch (error) {
      this.deps.log(`chat: could not save conversation ${conversation.id}: ${(error as Error).message}`);
    }
  }

  private async resolveTargets(ids: string[]): Promise<ResolvedTarget[]> {
    const { targets } = await this.deps.listTargets(this.conversation.extraTargets);
    const unique = [...new Set(ids)];
    return unique.map((id) => {
      const target = targets.find((t) => t.info.id === id);
      if (!target) throw new Error(`unknown model ${JSON.stringify(id.slice(0, 200))}: pick one from the list (the settings may have changed)`);
      return target;
    });
  }

  private async send(prompt: string, targetIds: string[], settings: GenerationSettings): Promise<{ turnId: string }> {
    if (prompt.trim() === '') throw new Error('type a question first');
    if (this.busy) throw new Error('still answering: stop it or wait');
    const targets = await this.resolveTargets(targetIds);
    const imageIds = this.conversation.pendingImageIds.splice(0);
    if (this.conversation.turns.length === 0 && imageIds.length === 0 && this.conversation.images.length === 0) {
      this.conversation.pendingImageIds = imageIds;
      throw new Error('add an image first (drop, paste, or "Add image…")');
    }
    const turn: StoredTurn = { id: `t${this.conversation.turns.length + 1}-${Date.now().toString(36)}`, prompt, imageIds, settings, answers: [] };
    this.conversation.turns.push(turn);
    await this.start(turn, targets, settings);
    return { turnId: turn.id };
  }

  private async regenerate(turnId: string, targetIds: string[], settings: GenerationSettings): Promise<{ turnId: string }> {
    const turn = this.conversation.turns.at(-1);
    if (!turn || turn.id !== turnId) throw new Error('only the last answer can be regenerated');
    if (this.busy) throw new Error('still answering: stop it or wait');
    const targets = await this.resolveTargets(targetIds);
    turn.settings = settings;
    await this.start(turn, targets, settings);
    return { turnId };
  }

  private async start(turn: StoredTurn, targets: ResolvedTarget[], settings: GenerationSettings): Promise<void> {
    const previous = this.generation;
    // Bound to this conversation: "New Chat" mid-answer must not make the final save write the new one.
    const conversation = this.conversation;
    const generation = new Generation(conversation, turn, targets, settings, {
      backend: (target) => this.deps.backend(target),
      // Once the panel shows another conversation, this stream's text is saved but no longer posted.
      post: (message) => { if (this.conversation === conversation) this.post(message); },
      save: () => this.save(conversation),
      log: (message) => this.deps.log(message),
      busyChanged: (busy) => this.post({ kind: 'notify', type: 'busy', payload: { busy } }),
    }, this.deps.streamSaveMs);
    this.generation = generation;
    this.post({ kind: 'notify', type: 'turn', payload: { turn: turnView(turn) } });
    await this.save();
    // A stopped stream may still be winding down: the next one starts once it has let go of the model.
    void generation.run(previous?.finished ?? Promise.resolve());
  }

  private stop(): number {
    return this.generation?.stop() ?? 0;
  }

  private async attach(image: StoredImage): Promise<string> {
    const known = this.conversation.images.find((i) => i.id === image.id);
    if (!known) this.conversation.images.push(image);
    if (!this.conversation.pendingImageIds.includes(image.id)) this.conversation.pendingImageIds.push(image.id);
    await this.save();
    this.post({ kind: 'notify', type: 'image', payload: { image: await this.deps.images.view(known ?? image), pending: true } });
    return image.id;
  }

  private async addImage(source: ImageSource): Promise<{ imageId: string } | { cancelled: true }> {
    const image = await this.deps.images.fromSource(source);
    if (!image) return { cancelled: true };
    return { imageId: await this.attach(image) };
  }

  private async removeImage(imageId: string): Promise<{ removed: boolean }> {
    const pending = this.conversation.pendingImageIds;
    if (!pending.includes(imageId)) return { removed: false };
    this.conversation.pendingImageIds = pending.filter((id) => id !== imageId);
    const used = this.conversation.turns.some((t) => t.imageIds.includes(imageId));
    if (!used) this.conversation.images = this.conversation.images.filter((i) => i.id !== imageId);
    await this.save();
    return { removed: true };
  }

  private async copyMarkdown(turnId: string | null): Promise<{ chars: number }> {
    const text = conversationMarkdown(this.conversation, { turnId, displayPath: (p) => this.deps.images.relativeToWorkspace(p) });
    await this.deps.copyText(text);
    return { chars: text.length };
  }

  private async addToDataset(params: AddToDatasetParams): Promise<AddToDatasetResult> {
    const index = this.conversation.turns.findIndex((t) => t.id === params.turnId);
    if (index < 0) throw new Error(`no turn ${params.turnId} in this conversation`);
    if (params.prompt.trim() === '' || params.answer.trim() === '') throw new Error('the prompt and the answer must not be empty');
    const images = imagesUpTo(this.conversation, index);
    if (images.length === 0) throw new Error('this turn has no image: a training sample needs one');
    const file = await this.deps.chooseDatasetFile();
    if (!file) return { cancelled: true };
    const result = await appendToDataset(file, { prompt: params.prompt, answer: params.answer, images: images.map((i) => i.path) });
    this.deps.log(`chat: appended turn ${params.turnId} (answer ${params.slot === 0 ? 'A' : 'B'}) to ${file}${result.line ? ` as line ${result.line}` : ''}`);
    return { path: file, line: result.line ?? 0, copiedImages: result.copied };
  }

  private async action(action: PanelAction): Promise<{ done: boolean }> {
    if (action.name === 'newChat') {
      this.generation?.stop();
      this.conversation = newConversation(this.deps.newConversationId(), 'Ask LLaVA');
      this.viewState = this.viewState ? { ...this.viewState, conversationId: this.conversation.id, draft: '' } : null;
      await this.save();
      await this.sendInit();
      return { done: true };
    }
    const done = await this.deps.runAction(action);
    await this.refreshTargets();
    return { done };
  }

  /** For the panel title and tests. */
  get snapshot(): StoredConversation {
    return this.conversation;
  }
}
