import type { ImageSource } from '../../src/protocol/chat';
import { h } from '../common/dom';
import { iconButton, textButton } from './answerCard';
import type { ChatContext } from './context';
import { thumbnail } from './transcript';

export interface ComposerEvents {
  send(prompt: string): void;
  stop(): void;
  draft(text: string): void;
  addImage(source: ImageSource): Promise<void>;
  removeImage(id: string): void;
}

const IMAGE_TYPES = /^image\/(png|jpeg|webp|gif|bmp|tiff)$/;
const HTTP_URL = /^https?:\/\/\S+$/i;

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error(`cannot read ${file.name}`));
    reader.readAsDataURL(file);
  });
}

/**
 * The prompt box: Enter sends (Shift+Enter: new line), Esc stops. Images come in by paste (image
 * data), drop (files, or Explorer items held with Shift), or "Add image…". A pasted http(s) URL is
 * only fetched after the user confirms it with the chip that appears.
 */
export class Composer {
  readonly el: HTMLElement;
  readonly input = h('textarea', { class: 'prompt-input', rows: 3, placeholder: 'Ask about the image…  (Enter to send · Shift+Enter for a new line · paste or drop an image to add it)', 'aria-label': 'Question' });
  private readonly pending = h('div', { class: 'pending-images', 'aria-label': 'Images for the next question' });
  private readonly urlChip = h('div', { class: 'url-chip', hidden: true });
  private readonly sendButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private busy = false;
  private blocked: string | null = null;

  constructor(private readonly ctx: ChatContext, private readonly events: ComposerEvents) {
    this.sendButton = textButton('send', 'Send', () => this.submit(), 'primary send');
    this.stopButton = textButton('debug-stop', 'Stop', () => this.events.stop(), 'primary stop');
    this.stopButton.hidden = true;
    const add = textButton('add', 'Add image…', () => void this.events.addImage({ kind: 'pick' }), 'secondary add-image');
    this.el = h('div', { class: 'composer' }, this.pending, this.urlChip, this.input,
      h('div', { class: 'composer-actions' }, add, h('span', { class: 'spacer' }), h('span', { class: 'hint' }, ''), this.stopButton, this.sendButton));
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      } else if (e.key === 'Escape' && this.busy) {
        e.preventDefault();
        this.events.stop();
      }
    });
    this.input.addEventListener('input', () => { this.events.draft(this.input.value); this.updateButtons(); });
    document.addEventListener('paste', (e) => void this.onPaste(e));
    document.addEventListener('dragover', (e) => {
      e.preventDefault();
      document.body.classList.add('dragging');
    });
    document.addEventListener('dragleave', (e) => { if (!e.relatedTarget) document.body.classList.remove('dragging'); });
    document.addEventListener('drop', (e) => void this.onDrop(e));
  }

  setDraft(text: string): void {
    this.input.value = text;
    this.updateButtons();
  }

  setBusy(busy: boolean): void {
    this.busy = busy;
    this.updateButtons();
  }

  /** Why sending is impossible (no model), or null. */
  setBlocked(reason: string | null): void {
    this.blocked = reason;
    this.updateButtons();
  }

  showPending(ids: string[]): void {
    this.pending.replaceChildren(...ids.map((id) => h('div', { class: 'pending-item' },
      thumbnail(this.ctx, id, 'thumb small'),
      iconButton('close', 'Remove this image', () => this.events.removeImage(id), { class: 'icon-button remove' }))));
    this.pending.hidden = ids.length === 0;
  }

  focus(): void {
    this.input.focus();
  }

  private updateButtons(): void {
    this.stopButton.hidden = !this.busy;
    this.sendButton.hidden = this.busy;
    this.sendButton.disabled = this.blocked !== null || this.input.value.trim() === '';
    this.sendButton.title = this.blocked ?? 'Send (Enter)';
  }

  private submit(): void {
    if (this.busy || this.blocked !== null) return;
    const prompt = this.input.value.trim();
    if (!prompt) return;
    this.events.send(prompt);
  }

  private async addFiles(files: File[]): Promise<void> {
    for (const file of files) {
      if (!IMAGE_TYPES.test(file.type)) {
        this.ctx.notice(`${file.name || 'that file'} is not an image (${file.type || 'unknown type'})`, true);
        continue;
      }
      await this.events.addImage({ kind: 'dataUrl', dataUrl: await readAsDataUrl(file), name: file.name || 'pasted image' });
    }
  }

  private async onPaste(e: ClipboardEvent): Promise<void> {
    const data = e.clipboardData;
    if (!data) return;
    const files = [...data.files];
    if (files.length > 0) {
      e.preventDefault();
      await this.addFiles(files);
      return;
    }
    const text = data.getData('text/plain').trim();
    if (HTTP_URL.test(text)) this.offerUrl(text);
  }

  private offerUrl(url: string): void {
    const use = textButton('cloud-download', 'Add as image', () => {
      this.urlChip.hidden = true;
      void this.events.addImage({ kind: 'url', url });
    }, 'secondary');
    const dismiss = iconButton('close', 'Dismiss', () => { this.urlChip.hidden = true; });
    this.urlChip.replaceChildren(h('span', { class: 'codicon codicon-link', 'aria-hidden': 'true' }), h('span', { class: 'url-text', title: url }, url), use, dismiss);
    this.urlChip.hidden = false;
  }

  private async onDrop(e: DragEvent): Promise<void> {
    e.preventDefault();
    document.body.classList.remove('dragging');
    const data = e.dataTransfer;
    if (!data) return;
    const files = [...data.files];
    if (files.length > 0) return this.addFiles(files);
    // Explorer items arrive as URIs (VS Code needs Shift held while dropping into a webview).
    const uris = (data.getData('application/vnd.code.uri-list') || data.getData('text/uri-list')).split(/\r?\n/).map((s) => s.trim()).filter((s) => s && !s.startsWith('#'));
    const web = uris.find((uri) => HTTP_URL.test(uri)) ?? (uris.length === 0 ? data.getData('text/plain').trim() : '');
    for (const uri of uris) if (!HTTP_URL.test(uri)) await this.events.addImage({ kind: 'uri', uri });
    // A web address is fetched only once the user confirms it.
    if (HTTP_URL.test(web)) this.offerUrl(web);
  }
}
