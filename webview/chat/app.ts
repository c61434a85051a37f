import {
  DEFAULT_GENERATION, isChatViewState, type AnswerView, type ChatHostMessage, type ChatViewState, type ConversationView, type ImageSource,
  type ImageView, type PanelAction, type TurnView,
} from '../../src/protocol/chat';
import { h } from '../common/dom';
import { MessageClient } from '../common/messageClient';
import { StateCache } from '../common/stateCache';
import { vscodeApi } from '../common/vscodeApi';
import { Composer } from './composer';
import type { ChatClient, ChatContext } from './context';
import { DatasetForm } from './datasetForm';
import { Header } from './header';
import { Lightbox } from './lightbox';
import { ModelsCard } from './onboarding';
import { thumbnail, Transcript } from './transcript';

type Notify = Extract<ChatHostMessage, { kind: 'notify' }>;

/** The Ask LLaVA panel: owns the view state, routes host messages to its parts. */
export class ChatApp {
  private state: ChatViewState = { conversationId: '', draft: '', settings: DEFAULT_GENERATION, targets: ['', null], compare: false };
  private conversation: ConversationView = { id: '', title: '', images: [], pendingImageIds: [], turns: [] };
  private readonly images = new Map<string, { view: ImageView; url: string | null }>();
  private busy = false;
  private readonly cache = new StateCache(vscodeApi(), isChatViewState);
  private readonly client: ChatClient = new MessageClient(vscodeApi(), (m) => this.onMessage(m));
  private readonly ctx: ChatContext;
  private readonly header: Header;
  private readonly transcript: Transcript;
  private readonly composer: Composer;
  private readonly models: ModelsCard;
  private readonly lightbox = new Lightbox();
  private readonly dataset: DatasetForm;
  private readonly hero = h('section', { class: 'hero', 'aria-label': 'Image' });
  private readonly notices = h('div', { class: 'notice', role: 'status', 'aria-live': 'polite', hidden: true });
  private readonly trustNote = h('div', { class: 'trust-note', hidden: true });
  private stateTimer: ReturnType<typeof setTimeout> | undefined;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(root: HTMLElement) {
    this.ctx = {
      client: this.client,
      image: (id) => this.images.get(id),
      openImage: (id) => {
        const image = this.images.get(id);
        if (image?.url) this.lightbox.open(image.url, image.view.name, image.view.origin);
      },
      notice: (text, error) => this.notice(text, error),
      lastTurnId: () => this.conversation.turns.at(-1)?.id ?? null,
      busy: () => this.busy,
      regenerate: (turnId) => void this.call(() => this.client.request('regenerate', { turnId, targets: this.header.chosen(), settings: this.state.settings })),
      addToDataset: (turnId, prompt, answer) => this.dataset.open(turnId, prompt, answer),
    };
    this.header = new Header({
      targets: (a, b) => this.update({ targets: [a, b] }),
      compare: (compare) => this.update({ compare }),
      settings: (settings) => this.update({ settings }),
      copyMarkdown: () => void this.call(async () => {
        const { chars } = await this.client.request('copyMarkdown', { turnId: null });
        this.notice(`Copied the conversation as Markdown (${chars} characters).`);
      }),
      newChat: () => void this.call(() => this.client.request('action', { action: { name: 'newChat' } })),
      manageModels: () => this.models.toggle(),
    });
    this.transcript = new Transcript(this.ctx);
    this.composer = new Composer(this.ctx, {
      send: (prompt) => void this.send(prompt),
      stop: () => void this.call(() => this.client.request('stop', {})),
      draft: (draft) => this.update({ draft }),
      addImage: (source) => this.addImage(source),
      removeImage: (id) => void this.removeImage(id),
    });
    this.models = new ModelsCard((action) => void this.action(action));
    this.dataset = new DatasetForm(this.ctx);
    root.append(this.header.el, this.trustNote, this.models.el, this.hero, this.transcript.el, this.composer.el, this.notices, this.lightbox.el, this.dataset.el);
  }

  start(): void {
    this.client.connect();
  }

  private onMessage(message: Notify): void {
    switch (message.type) {
      case 'init': return this.init(message.payload);
      case 'targets': {
        const targets = this.header.setTargets(message.payload.targets, this.state.targets);
        this.update({ targets });
        this.models.show(message.payload.onboarding);
        this.composer.setBlocked(message.payload.onboarding.needed ? 'Pick a model first (above)' : null);
        return;
      }
      case 'image': {
        this.setImage(message.payload.image);
        if (message.payload.pending && !this.conversation.pendingImageIds.includes(message.payload.image.id)) this.conversation.pendingImageIds.push(message.payload.image.id);
        this.renderImages();
        return;
      }
      case 'turn': return this.upsertTurn(message.payload.turn);
      case 'token': return this.transcript.appendToken(message.payload.turnId, message.payload.slot, message.payload.offset, message.payload.text);
      case 'answer': return this.updateAnswer(message.payload.turnId, message.payload.answer);
      case 'busy':
        this.busy = message.payload.busy;
        this.composer.setBusy(this.busy);
        this.transcript.refreshActions();
        document.body.dataset.busy = String(this.busy);
        return;
      case 'conversation':
        this.conversation = message.payload.conversation;
        this.transcript.render(this.conversation);
        this.renderImages();
        return;
      case 'notice': return this.notice(message.payload.text, message.payload.error);
    }
  }

  private init(payload: Extract<Notify, { type: 'init' }>['payload']): void {
    const { conversation, targets, onboarding, trusted, state, busy } = payload;
    const cached = this.cache.get() ?? state;
    const same = cached?.conversationId === conversation.id;
    const base: ChatViewState = cached ? { ...cached, conversationId: conversation.id, draft: same ? cached.draft : '' } : { ...this.state, conversationId: conversation.id };
    for (const image of this.images.values()) if (image.url) URL.revokeObjectURL(image.url);
    this.images.clear();
    for (const image of conversation.images) this.setImage(image);
    this.conversation = conversation;
    this.state = base;
    this.state.targets = this.header.setTargets(targets, base.targets);
    this.header.setCompare(base.compare);
    this.header.showSettings(base.settings);
    this.models.show(onboarding);
    this.composer.setBlocked(onboarding.needed ? 'Pick a model first (above)' : null);
    this.composer.setDraft(base.draft);
    this.busy = busy;
    this.composer.setBusy(busy);
    document.body.dataset.busy = String(busy);
    this.trustNote.hidden = trusted;
    this.trustNote.textContent = trusted ? '' : 'Restricted Mode: this workspace is not trusted, so the Python worker backend is off. In-VS Code (ONNX) models and servers still work.';
    this.transcript.render(conversation);
    this.renderImages();
    this.persist();
    document.title = conversation.title;
    document.body.dataset.ready = 'true';
    this.composer.focus();
  }

  private setImage(view: ImageView): void {
    const old = this.images.get(view.id);
    if (old?.url) URL.revokeObjectURL(old.url);
    const url = view.bytes ? URL.createObjectURL(new Blob([view.bytes as Uint8Array<ArrayBuffer>], { type: view.mime })) : null;
    this.images.set(view.id, { view: { ...view, bytes: null }, url });
  }

  /** Before the first question the image is shown large; after it, with the turn it belongs to. */
  private renderImages(): void {
    const pending = this.conversation.pendingImageIds;
    const first = this.conversation.turns.length === 0;
    this.composer.showPending(first ? [] : pending);
    this.hero.hidden = !first;
    if (!first) return;
    this.hero.replaceChildren(...(pending.length
      ? [h('div', { class: 'hero-images' }, ...pending.map((id) => thumbnail(this.ctx, id, 'hero-image'))),
        h('p', { class: 'muted' }, 'Ask a question about this image below. Click it to zoom; drop or paste another image to add it.')]
      : [h('div', { class: 'drop-zone' },
        h('span', { class: 'codicon codicon-file-media', 'aria-hidden': 'true' }),
        h('p', {}, 'Drop an image here, paste one (Ctrl+V / ⌘V), or use “Add image…” below.'),
        h('p', { class: 'muted small' }, 'Or right-click an image in the Explorer → Ask LLaVA. Dropping Explorer files needs Shift held. A pasted web address is fetched only after you confirm it.'))]));
  }

  private upsertTurn(turn: TurnView): void {
    const index = this.conversation.turns.findIndex((t) => t.id === turn.id);
    if (index >= 0) this.conversation.turns[index] = turn;
    else {
      this.conversation.turns.push(turn);
      this.conversation.pendingImageIds = this.conversation.pendingImageIds.filter((id) => !turn.imageIds.includes(id));
    }
    this.renderImages();
    this.transcript.upsertTurn(turn);
  }

  private updateAnswer(turnId: string, answer: AnswerView): void {
    const turn = this.conversation.turns.find((t) => t.id === turnId);
    if (turn) turn.answers = turn.answers.map((a) => (a.slot === answer.slot ? answer : a));
    this.transcript.updateAnswer(turnId, answer);
  }

  private async send(prompt: string): Promise<void> {
    const targets = this.header.chosen();
    if (targets.length === 0) return this.notice('Pick a model first.', true);
    const sent = await this.call(() => this.client.request('send', { prompt, targets, settings: this.state.settings }));
    if (sent) {
      this.composer.setDraft('');
      this.update({ draft: '' });
    }
  }

  private async addImage(source: ImageSource): Promise<void> {
    await this.call(() => this.client.request('addImage', { source }, 120_000));
  }

  private async removeImage(id: string): Promise<void> {
    const result = await this.call(() => this.client.request('removeImage', { imageId: id }));
    if (!result?.removed) return;
    this.conversation.pendingImageIds = this.conversation.pendingImageIds.filter((p) => p !== id);
    this.renderImages();
  }

  private async action(action: PanelAction): Promise<void> {
    // A download can take many minutes; the host shows its progress as a notification.
    await this.call(() => this.client.request('action', { action }, 6 * 3600_000));
  }

  /** Runs a request; a failure becomes a notice instead of an unhandled rejection. */
  private async call<T>(run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      this.notice((error as Error).message, true);
      return undefined;
    }
  }

  private notice(text: string, error = false): void {
    this.notices.textContent = text;
    this.notices.classList.toggle('error', error);
    this.notices.hidden = false;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => { this.notices.hidden = true; }, error ? 12_000 : 5000);
  }

  private update(patch: Partial<ChatViewState>): void {
    this.state = { ...this.state, ...patch };
    this.persist();
  }

  /** setState at once (survives hide and reload); the host hears about it at most every 250 ms. */
  private persist(): void {
    this.cache.set(this.state);
    clearTimeout(this.stateTimer);
    this.stateTimer = setTimeout(() => this.client.notify('state', this.state), 250);
  }
}
