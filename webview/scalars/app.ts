import { compileTagFilter } from '../../src/core/scalars/tags';
import { isScalarsViewState, type ExportResult, type ScalarsHostMessage, type ScalarsRun, type ScalarsSettings, type ScalarsViewState, type ScalarsWebviewMessage } from '../../src/protocol/scalars';
import { h } from '../common/dom';
import { MessageClient } from '../common/messageClient';
import { StateCache } from '../common/stateCache';
import { readTheme, watchTheme, type Theme } from '../common/theme';
import { vscodeApi } from '../common/vscodeApi';
import { CardsView } from './cards';
import type { ScalarsContext, VisibleRun } from './context';
import { RunsView } from './runs';
import { scriptStart } from './startTime';
import { ScalarsStore } from './store';
import { Toolbar } from './toolbar';
import { Tooltip } from './tooltip';

type Client = MessageClient<ScalarsHostMessage, ScalarsWebviewMessage, { export: ExportResult }>;
type Notify = Extract<ScalarsHostMessage, { kind: 'notify' }>;

export function defaultState(runIds: string[], settings: ScalarsSettings): ScalarsViewState {
  return { runIds, hiddenRuns: [], smoothing: settings.defaultSmoothing, xAxis: 'step', tagFilter: '', logY: false, ignoreOutliers: false, envelope: false, collapsedGroups: [] };
}

/** The Scalars panel: owns the view state, routes host messages to the store and redraws what changed. */
export class ScalarsApp {
  private state: ScalarsViewState = defaultState([], { maxPointsPerLine: 2000, defaultSmoothing: 0.6 });
  private settings: ScalarsSettings = { maxPointsPerLine: 2000, defaultSmoothing: 0.6 };
  private theme: Theme = readTheme();
  private readonly store = new ScalarsStore();
  private readonly cache = new StateCache(vscodeApi(), isScalarsViewState);
  private readonly client: Client = new MessageClient(vscodeApi(), (m) => this.onMessage(m));
  private readonly tooltip = new Tooltip();
  private readonly live = h('div', { class: 'sr-only', 'aria-live': 'polite' });
  private readonly empty = h('div', { class: 'empty', role: 'status' });
  private readonly toolbar = new Toolbar((patch) => this.update(patch));
  private readonly runsView = new RunsView((id) => this.toggleRun(id));
  private readonly cards: CardsView;
  private filter: (tag: string) => boolean = () => true;
  /** Incremental messages before `init` (a page reloading while the host polls) are dropped: init carries everything. */
  private initialized = false;
  private firstPaint: 'waiting' | 'pending' | 'done' = 'waiting';
  private stateTimer: ReturnType<typeof setTimeout> | undefined;
  /** The visible runs' tags at the last layout. */
  private tagsKey = '';

  constructor(root: HTMLElement) {
    const ctx: ScalarsContext = {
      store: this.store,
      tooltip: this.tooltip,
      state: () => this.state,
      settings: () => this.settings,
      theme: () => this.theme,
      visibleRuns: () => this.visibleRuns(),
      schedule: () => this.schedule(),
      announce: (text) => { this.live.textContent = text; },
      exportTag: (params) => this.client.request('export', params, 10 * 60_000),
    };
    this.cards = new CardsView(ctx, (group, open) => this.toggleGroup(group, open));
    this.empty.textContent = 'Loading scalars…';
    root.append(this.toolbar.el, this.runsView.el, this.empty, this.cards.el, this.live);
    watchTheme((theme) => {
      this.theme = theme;
      this.renderRuns();
      this.cards.invalidate(undefined, true);
    });
  }

  start(): void {
    this.client.connect();
  }

  private onMessage(message: Notify): void {
    switch (message.type) {
      case 'init': {
        performance.mark('scalars:init-received');
        const { runs, series, settings, state } = message.payload;
        this.settings = settings;
        const base = this.cache.get() ?? state ?? defaultState([], settings);
        const ids = runs.map((r) => r.id);
        const runIds = [...base.runIds.filter((id) => ids.includes(id)), ...ids.filter((id) => !base.runIds.includes(id))];
        this.state = { ...base, runIds };
        this.persist();
        this.store.clear();
        this.store.setRuns(runs);
        this.store.append(series);
        this.initialized = true;
        this.toolbar.show(this.state);
        this.applyFilter();
        this.renderAll();
        this.firstPaint = 'pending';
        this.cards.primeVisibility();
        this.cards.flush();
        performance.mark('scalars:first-draw');
        this.checkFirstPaint();
        return;
      }
      case 'append':
        if (!this.initialized) return;
        return this.dataChanged(this.store.append(message.payload.series));
      case 'replaceRun':
        if (!this.initialized) return;
        return this.dataChanged(this.store.replaceRun(message.payload.run, message.payload.series));
      case 'setTagFilter':
        this.update({ tagFilter: message.payload.tagFilter });
        this.toolbar.show(this.state);
        return;
      case 'runs':
        if (!this.initialized) return;
        this.store.setRuns(message.payload.runs);
        this.addRunIds(message.payload.runs);
        this.renderAll();
        return;
    }
  }

  /** New points: redraw the affected cards; lay cards out again only when a tag appeared or went. */
  private dataChanged(tags: Set<string>): void {
    const key = [...this.store.allTags(this.visibleRuns().map((r) => r.id))].sort().join('\n');
    if (key !== this.tagsKey) this.renderAll();
    this.cards.invalidate(tags);
  }

  private addRunIds(runs: readonly ScalarsRun[]): void {
    const missing = runs.map((r) => r.id).filter((id) => !this.state.runIds.includes(id));
    if (missing.length) this.update({ runIds: [...this.state.runIds, ...missing] });
  }

  private update(patch: Partial<ScalarsViewState>): void {
    const before = this.state;
    this.state = { ...before, ...patch };
    this.persist();
    if (patch.tagFilter !== undefined && patch.tagFilter !== before.tagFilter) {
      this.applyFilter();
      this.renderAll();
    }
    if (patch.hiddenRuns) {
      this.renderAll();
      this.cards.invalidate();
    }
    const redraw = (['smoothing', 'logY', 'ignoreOutliers', 'envelope'] as const).some((k) => patch[k] !== undefined && patch[k] !== before[k]);
    if (patch.xAxis !== undefined && patch.xAxis !== before.xAxis) this.cards.invalidate(undefined, true);
    else if (redraw) this.cards.invalidate();
  }

  /** setState at once (survives hide/reload); the host hears about it at most every 250 ms. */
  private persist(): void {
    this.cache.set(this.state);
    clearTimeout(this.stateTimer);
    this.stateTimer = setTimeout(() => this.client.notify('state', this.state), 250);
  }

  private applyFilter(): void {
    const compiled = compileTagFilter(this.state.tagFilter);
    // An invalid regex keeps the last valid filter: the toolbar shows the error instead.
    if (compiled.ok) this.filter = compiled.test;
  }

  private toggleRun(id: string): void {
    const hidden = new Set(this.state.hiddenRuns);
    if (hidden.has(id)) hidden.delete(id);
    else hidden.add(id);
    this.update({ hiddenRuns: [...hidden] });
  }

  private toggleGroup(group: string, open: boolean): void {
    const collapsed = new Set(this.state.collapsedGroups);
    if (open) collapsed.delete(group);
    else collapsed.add(group);
    this.update({ collapsedGroups: [...collapsed] });
    if (open) this.schedule();
  }

  private colorOf(id: string): string {
    const i = Math.max(0, this.state.runIds.indexOf(id));
    return this.theme.palette[i % this.theme.palette.length]!;
  }

  private orderedRuns(): ScalarsRun[] {
    return this.state.runIds.map((id) => this.store.runs.get(id)).filter((r): r is ScalarsRun => !!r);
  }

  private visibleRuns(): VisibleRun[] {
    const hidden = new Set(this.state.hiddenRuns);
    return this.orderedRuns().filter((r) => !hidden.has(r.id)).map((r) => ({ id: r.id, name: r.name, color: this.colorOf(r.id) }));
  }

  private renderRuns(): void {
    const hidden = new Set(this.state.hiddenRuns);
    this.runsView.render(this.orderedRuns().map((run) => {
      const tags = this.store.tagsOf(run.id);
      const points = tags.reduce((n, t) => n + (this.store.get(run.id, t)?.length ?? 0), 0);
      return { run, color: this.colorOf(run.id), hidden: hidden.has(run.id), tags: tags.length, points };
    }));
  }

  private renderAll(): void {
    this.renderRuns();
    const visible = this.visibleRuns().map((r) => r.id);
    const allTags = this.store.allTags(visible);
    this.tagsKey = [...allTags].sort().join('\n');
    const tags = [...allTags].filter(this.filter);
    this.cards.layout(tags, new Set(this.state.collapsedGroups));
    this.empty.textContent = this.emptyText(allTags.size, tags.length, visible.length);
    this.empty.hidden = this.empty.textContent === '';
    this.schedule();
  }

  private emptyText(allTags: number, shownTags: number, visibleRuns: number): string {
    const runs = this.orderedRuns();
    if (runs.length === 0) return 'No runs in this panel. Open Scalars from a run in the Runs view.';
    if (runs.every((r) => r.origin === 'pending')) return 'Loading scalars…';
    if (visibleRuns === 0) return 'All runs are hidden. Click a run above to show it.';
    if (allTags === 0) return 'No scalars to chart yet. The notes above say why for each run.';
    if (shownTags === 0) return `No tag matches /${this.state.tagFilter}/.`;
    return '';
  }

  private schedule(): void {
    this.cards.schedule();
    if (this.firstPaint === 'pending') requestAnimationFrame(() => this.checkFirstPaint());
  }

  /** Posts `firstPaint` after the first frame in which every on-screen card shows its data. */
  private checkFirstPaint(): void {
    if (this.firstPaint !== 'pending' || !this.cards.allVisibleDrawn()) return;
    this.firstPaint = 'done';
    requestAnimationFrame(() => {
      // A message posted from inside rAF is handled after that frame has been produced.
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const ms = performance.now() - scriptStart;
        const points = this.store.pointCount();
        this.client.notify('firstPaint', { ms: Math.round(ms * 10) / 10, points });
        document.body.dataset.firstPaintMs = String(ms);
      };
      channel.port2.postMessage(null);
    });
  }
}
