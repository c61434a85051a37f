import type { ModelHitView, ModelSearchView } from '../../src/protocol/train';
import { h } from '../common/dom';

const compact = (n: number): string => (n >= 1e9 ? `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 1)} B` : n >= 1e6 ? `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)} k` : String(n));

/** "7.1 B params · 1.2 M downloads" (what is known of a hit). */
export function hitDetail(hit: ModelHitView): string {
  const parts = [hit.params !== null ? `${compact(hit.params)} params` : null, hit.downloads !== null ? `${compact(hit.downloads)} downloads` : null, hit.gated ? 'gated (needs a token)' : null];
  return parts.filter(Boolean).join(' · ') || 'no details';
}

/**
 * The Hub model list under the model field: search results (image-text-to-text, most downloaded
 * first) or, offline, the curated shortlist with a plain note that search is offline. A local
 * folder is always one button away.
 */
export class ModelPicker {
  readonly el = h('div', { class: 'model-picker', hidden: true, role: 'region', 'aria-label': 'Models' });
  private seq = 0;

  constructor(private readonly search: (query: string) => Promise<ModelSearchView>, private readonly choose: (id: string) => void, private readonly pickFolder: () => void) {}

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  async open(query: string): Promise<void> {
    this.el.hidden = false;
    const seq = ++this.seq;
    this.el.replaceChildren(h('div', { class: 'muted' }, h('vscode-progress-ring', { class: 'inline-ring' }), ` Searching the Hub for "${query || 'image-text-to-text models'}"…`));
    let view: ModelSearchView;
    try {
      view = await this.search(query);
    } catch (error) {
      if (seq === this.seq) this.el.replaceChildren(h('div', { class: 'field-error' }, (error as Error).message));
      return;
    }
    if (seq !== this.seq) return;
    const header = h('div', { class: 'picker-head' },
      h('span', { class: view.offline ? 'badge warn' : 'badge' }, view.offline ? 'Search offline' : 'Hugging Face Hub'),
      h('span', { class: 'muted small' }, view.offline ? `${view.message ?? 'The Hub cannot be reached.'} Pick one below, or a local folder.` : view.message ?? `${view.models.length} image-text-to-text models, most downloaded first`),
      h('span', { class: 'spacer' }),
      this.linkButton('Local folder…', () => this.pickFolder()),
      this.linkButton('Close', () => this.close()),
    );
    const list = h('ul', { class: 'hits', role: 'listbox', 'aria-label': view.offline ? 'Known models (offline)' : 'Search results' });
    for (const hit of view.models) {
      const item = h('li', { role: 'option', tabindex: 0, 'aria-selected': 'false' }, h('span', { class: 'hit-id' }, hit.id), h('span', { class: 'muted small' }, hitDetail(hit)));
      const pick = (): void => {
        this.choose(hit.id);
        this.close();
      };
      item.addEventListener('click', pick);
      item.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(); } });
      list.append(item);
    }
    this.el.replaceChildren(header, list);
  }

  close(): void {
    this.seq++;
    this.el.hidden = true;
  }

  private linkButton(label: string, onClick: () => void): HTMLElement {
    const b = h('button', { class: 'link', type: 'button' }, label);
    b.addEventListener('click', onClick);
    return b;
  }
}
