/**
 * The Dataset Preview page: routes host messages to the header, toolbar and list; fetches pages of
 * rows for the window on screen and thumbnails for the cards shown; remembers filter and position.
 */
import {
  isDatasetViewState, type DatasetHostMessage, type DatasetInfo, type DatasetResults, type DatasetViewState, type DatasetWebviewMessage,
  type RowView, type ThumbnailResult, type ValidationState, type ViewFilter, type ViewInfo,
} from '../../src/protocol/dataset';
import { h } from '../common/dom';
import { MessageClient } from '../common/messageClient';
import { StateCache } from '../common/stateCache';
import { watchTheme } from '../common/theme';
import { vscodeApi } from '../common/vscodeApi';
import { n } from './format';
import { Header } from './header';
import { Lightbox } from './lightbox';
import { Lru, PageCache } from './pageCache';
import { fillThumb, renderCard, renderPlaceholder, revealFirstMatch, type CardActions } from './rowCard';
import type { RowWindow } from './scrollMath';
import { Toolbar } from './toolbar';
import { VirtualList } from './virtualList';

type Client = MessageClient<DatasetHostMessage, DatasetWebviewMessage, DatasetResults>;
type Notify = Extract<DatasetHostMessage, { kind: 'notify' }>;

const sameFilter = (a: ViewFilter, b: ViewFilter): boolean =>
  a.problemsOnly === b.problemsOnly && a.query === b.query && a.codes.join() === b.codes.join();

export class DatasetApp {
  private readonly client: Client = new MessageClient(vscodeApi(), (m) => this.onMessage(m));
  private readonly cache = new StateCache(vscodeApi(), isDatasetViewState);
  private readonly pages = new PageCache<RowView>(50, 40);
  private readonly thumbs = new Lru<string, ThumbnailResult>(600);
  private readonly thumbsPending = new Set<string>();
  private readonly header: Header;
  private readonly toolbar: Toolbar;
  private readonly list: VirtualList;
  private readonly lightbox = new Lightbox();
  private readonly failure = h('div', { class: 'failure', role: 'alert', hidden: true });
  private readonly live = h('div', { class: 'sr-only', 'aria-live': 'polite' });
  private info: DatasetInfo | null = null;
  private validation: ValidationState | null = null;
  private view: ViewInfo | null = null;
  private state: DatasetViewState | null = null;
  private visibleKey = '';
  private stateTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly cardActions: CardActions;

  constructor(root: HTMLElement) {
    this.cardActions = {
      openImage: (row, image) => void this.openImage(row, image),
      openLine: (row) => void this.client.request('openLine', { row }).catch((e: Error) => this.flash(e.message)),
      thumbnail: (row, image) => this.thumbs.get(`${row}:${image}`),
      wantThumbnail: (row, image) => this.loadThumbnail(row, image),
      maxLength: () => this.validation?.maxLength ?? 2048,
      hasLines: () => this.info?.hasLines ?? false,
      needle: () => this.view?.filter.query.trim().toLowerCase() ?? '',
    };
    this.header = new Header({
      setSplit: (split) => void this.client.request('setSplit', { split }).catch((e: Error) => this.flash(e.message)),
      cancelIndex: () => void this.client.request('cancelIndex', {}),
      chooseModel: (mode) => void this.client.request('chooseModel', { mode }, 10 * 60_000).catch((e: Error) => this.flash(e.message)),
      setMaxLength: (value) => void this.client.request('setMaxLength', { value }),
      chooseImageRoot: () => void this.client.request('chooseImageRoot', {}, 10 * 60_000).catch((e: Error) => this.flash(e.message)),
      filterByCode: (code) => this.setFilter({ problemsOnly: true, codes: [code], query: this.view?.filter.query ?? '' }),
    });
    this.toolbar = new Toolbar({ setFilter: (filter) => this.setFilter(filter), goToRow: (row) => void this.goToRow(row) });
    this.list = new VirtualList({
      render: (position) => {
        const row = this.pages.get(position);
        if (!row) return null;
        const card = renderCard(row, this.cardActions);
        if (this.cardActions.needle()) requestAnimationFrame(() => revealFirstMatch(card));
        return card;
      },
      placeholder: renderPlaceholder,
      windowChanged: (window) => this.windowChanged(window),
    }, 'Dataset rows');
    root.append(this.header.el, this.toolbar.el, this.failure, this.list.el, this.lightbox.el, this.live);
    document.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'f') {
        e.preventDefault();
        this.toolbar.focusSearch();
      }
    });
    watchTheme(() => this.header.redraw());
  }

  start(): void {
    this.client.connect();
  }

  private onMessage(message: Notify): void {
    switch (message.type) {
      case 'init': {
        const { info, index, validation, view, state, notice } = message.payload;
        this.info = info;
        this.state = state;
        this.failure.hidden = true;
        this.list.el.hidden = false;
        this.header.showInfo(info);
        this.header.showIndex(index);
        this.header.showNotice(notice);
        if (validation) this.showValidation(validation);
        this.view = null;
        this.applyView(view);
        document.body.dataset.ready = 'true';
        void this.restore(state);
        return;
      }
      case 'failed':
        this.failure.replaceChildren(h('span', { class: 'codicon codicon-error', 'aria-hidden': 'true' }), h('span', {}, `Cannot open ${message.payload.path}: ${message.payload.message}`));
        this.failure.hidden = false;
        this.list.el.hidden = true;
        document.body.dataset.ready = 'true';
        return;
      case 'index':
        this.header.showIndex(message.payload);
        return;
      case 'validation':
        this.showValidation(message.payload);
        return;
      case 'view':
        this.applyView(message.payload);
        return;
      case 'notice':
        this.header.showNotice(message.payload.notice);
        return;
    }
  }

  private showValidation(v: ValidationState): void {
    this.validation = v;
    this.header.showValidation(v);
    this.toolbar.showCounts(v);
    if (this.view) this.toolbar.showView(this.view, v);
  }

  /** A new view replaces the list; the same view growing only lengthens it. */
  private applyView(info: ViewInfo): void {
    if (this.view && info.viewId < this.view.viewId) return;
    const fresh = !this.view || info.viewId !== this.view.viewId;
    this.view = info;
    this.toolbar.showView(info, this.validation);
    if (fresh) {
      this.toolbar.show(info.filter);
      this.pages.reset(info.viewId);
      this.visibleKey = '';
      this.list.reset(info.count);
    } else {
      this.list.setCount(info.count);
      this.loadWindow(this.list.window());
    }
    this.list.setEmptyText(info.count === 0 ? (info.done ? 'No rows match.' : 'Looking for matching rows…') : '');
  }

  private setFilter(filter: ViewFilter): void {
    this.toolbar.show(filter);
    void this.client.request('setFilter', filter).then((view) => this.applyView(view), (e: Error) => this.flash(e.message));
  }

  private async goToRow(row: number): Promise<void> {
    const view = this.view;
    if (!view) return;
    const { position } = await this.client.request('locate', { viewId: view.viewId, row });
    if (position === null) {
      this.flash(`Row ${n(row)} is not in this view${view.done ? '' : ' (yet)'}`);
      return;
    }
    this.list.scrollToPosition(position);
    this.announce(`Row ${n(row)}`);
  }

  /** After a reload: the filter and the row at the top, as the page left them. */
  private async restore(hostState: DatasetViewState): Promise<void> {
    const saved = this.cache.get();
    const wanted = saved && saved.path === hostState.path ? saved : hostState;
    if (!sameFilter(wanted.filter, hostState.filter)) {
      const view = await this.client.request('setFilter', wanted.filter).catch(() => null);
      if (view) this.applyView(view);
    }
    if (wanted.topRow <= 0) return;
    // The index (or the filter pass) may not have reached that row yet: wait for it, a while.
    for (let tries = 0; tries < 100; tries++) {
      const view = this.view;
      if (!view) return;
      const { position } = await this.client.request('locate', { viewId: view.viewId, row: wanted.topRow }).catch(() => ({ position: null }));
      if (position !== null) {
        this.list.scrollToPosition(position);
        return;
      }
      if (view.done) return;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  private windowChanged(window: RowWindow): void {
    const view = this.view;
    if (!view) return;
    this.loadWindow(window);
    const key = `${view.viewId}:${window.first}:${window.end}`;
    if (key !== this.visibleKey) {
      this.visibleKey = key;
      this.client.notify('visible', { viewId: view.viewId, start: window.first, end: window.end });
    }
    this.saveStateSoon(window.visibleFirst);
  }

  private loadWindow(window: RowWindow): void {
    const view = this.view;
    if (!view) return;
    for (const page of this.pages.missing(window.first, window.end, view.count)) {
      const { start, end } = this.pages.request(page, view.count);
      if (end <= start) continue;
      const viewId = view.viewId;
      this.client.request('rows', { viewId, start, end }).then((result) => {
        if (!this.pages.fill(result.viewId, result.start, result.rows)) return;
        for (let p = result.start; p < result.start + result.rows.length; p++) this.list.refresh(p);
      }, () => this.pages.fail(viewId, start));
    }
  }

  private loadThumbnail(row: number, image: number): void {
    const key = `${row}:${image}`;
    if (this.thumbsPending.has(key)) return;
    this.thumbsPending.add(key);
    this.client.request('thumbnail', { row, image }, 120_000).then((result) => {
      this.thumbsPending.delete(key);
      if ('code' in result && result.code === 'skipped') return; // asked again if the card comes back on screen
      this.thumbs.set(key, result);
      const imageRef = this.findRow(row)?.images[image];
      if (!imageRef) return;
      for (const tile of this.list.el.querySelectorAll<HTMLElement>(`article[data-row="${row}"] .thumb[data-image="${image}"]`)) fillThumb(tile, result, imageRef);
    }, () => this.thumbsPending.delete(key));
  }

  private findRow(row: number): RowView | undefined {
    const window = this.list.window();
    for (let p = window.first; p < window.end; p++) {
      const r = this.pages.get(p);
      if (r?.index === row) return r;
    }
    return undefined;
  }

  private async openImage(row: number, image: number): Promise<void> {
    try {
      const result = await this.client.request('openImage', { row, image }, 120_000);
      if ('dataUrl' in result) this.lightbox.show(result.dataUrl, `row ${n(row)}, image ${image + 1} — ${result.sourceWidth}×${result.sourceHeight}`);
    } catch (error) {
      this.flash((error as Error).message);
    }
  }

  private saveStateSoon(visibleFirst: number): void {
    clearTimeout(this.stateTimer);
    this.stateTimer = setTimeout(() => {
      if (!this.state || !this.view) return;
      const top = this.pages.get(visibleFirst)?.index ?? 0;
      this.state = { ...this.state, filter: this.view.filter, topRow: top };
      this.cache.set(this.state);
      this.client.notify('state', this.state);
    }, 400);
  }

  private announce(text: string): void {
    this.live.textContent = text;
  }

  /** Something the user asked for did not happen: say why, visibly. */
  private flash(text: string): void {
    this.announce(text);
    this.toolbar.flash(text);
  }
}
