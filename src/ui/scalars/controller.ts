import { exportFileName, exportLabels, scalarsToCsv, scalarsToJson } from '../../core/scalars/csv';
import type { RunScalarsSource } from '../../core/runs/types';
import {
  parseScalarsWebviewMessage, type ExportParams, type ExportResult, type ScalarsHostMessage, type ScalarsRun,
  type ScalarsSettings, type ScalarsViewState,
} from '../../protocol/scalars';
import { RunData, type ScalarsRunInfo } from './runData';

/** What a Scalars panel needs from the extension; all injected, so the controller runs under plain mocha. */
export interface ScalarsDeps {
  createSource(runPath: string): RunScalarsSource;
  /** Names, status and event files of known runs; called every poll, so it should be cheap (the run index's cache). */
  listRuns(): readonly ScalarsRunInfo[] | Promise<readonly ScalarsRunInfo[]>;
  settings(): ScalarsSettings;
  /** Milliseconds between polls of the run sources (`llavaStudio.live.pollIntervalMs`). */
  pollIntervalMs(): number;
  log(message: string): void;
  /** Resolves when the run index has scanned once (a restored panel's runs are checked against it). */
  whenRunsKnown?(): Promise<unknown>;
}

/** The webview side of one panel, as the controller sees it. */
export interface ScalarsIO {
  post(message: ScalarsHostMessage): void;
  /** Asks where to save (Save dialog) and writes; resolves to the path, or undefined when cancelled. */
  saveFile(defaultName: string, format: ExportParams['format'], data: Uint8Array): Promise<string | undefined>;
}

const PNG_PREFIX = 'data:image/png;base64,';
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * One Scalars panel's host logic: reads its runs' sources, answers `ready` with `init`, polls and
 * posts `append`/`replaceRun`/`runs`, and serves exports. Inbound messages are validated; a bad one
 * is logged and ignored.
 */
export class ScalarsController {
  private readonly sources = new Map<string, RunScalarsSource>();
  private readonly data = new Map<string, RunData>();
  private infos = new Map<string, ScalarsRunInfo>();
  private lastRunsJson = '';
  /** The webview has said `ready` and got `init`: it can take incremental messages. */
  private live = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private queue: Promise<void> = Promise.resolve();
  private polling = false;
  private pokedWhilePolling = false;
  private disposed = false;
  /** A tag filter asked for while the page was not there; sent right after the next init. */
  private pendingFilter: string | null = null;

  constructor(readonly runIds: readonly string[], private readonly deps: ScalarsDeps, private readonly io: ScalarsIO, private viewState: ScalarsViewState | null) {
    for (const id of runIds) this.data.set(id, new RunData(id));
  }

  /** The latest view state the webview reported (for `init` after the tab is shown again). */
  get state(): ScalarsViewState | null {
    return this.viewState;
  }

  /** Handles one message from the webview; never throws. */
  async handleMessage(raw: unknown): Promise<void> {
    let message;
    try {
      message = parseScalarsWebviewMessage(raw);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.deps.log(`scalars: ignored ${reason}`);
      // A rejected request still gets its reply, so the webview does not wait for a timeout.
      const id = (raw as { kind?: unknown; id?: unknown } | null)?.kind === 'request' ? (raw as { id?: unknown }).id : undefined;
      if (Number.isSafeInteger(id)) this.io.post({ kind: 'reply', id: id as number, error: `rejected: ${reason}` });
      return;
    }
    if (message.kind === 'request') {
      const { id, params } = message;
      await this.reply(id, () => this.export(params));
      return;
    }
    switch (message.type) {
      case 'ready':
        return this.enqueue(() => this.sendInit());
      case 'state':
        this.viewState = message.payload;
        return;
      case 'firstPaint':
        this.deps.log(`scalars: first paint ${message.payload.ms} ms for ${message.payload.points} points`);
        return;
    }
  }

  /** Reads new points now (file watcher saw a change); coalesces with a poll already queued. */
  poke(runPath?: string): void {
    if (!this.live || (runPath !== undefined && !this.data.has(runPath))) return;
    // A poll already reading may have missed this write: read once more right after it.
    if (this.polling) this.pokedWhilePolling = true;
    else this.schedulePoll(0);
  }

  /** Shows only the tags matching `pattern` (opened again from a tag in the Runs view). */
  setTagFilter(pattern: string): void {
    if (this.viewState) this.viewState = { ...this.viewState, tagFilter: pattern };
    if (this.live) this.io.post({ kind: 'notify', type: 'setTagFilter', payload: { tagFilter: pattern } });
    else this.pendingFilter = pattern;
  }

  /** The tab was hidden (its page is discarded) or shown (its page will say `ready` again). */
  setVisible(visible: boolean): void {
    if (visible) return;
    this.live = false;
    clearTimeout(this.timer);
  }

  dispose(): void {
    this.disposed = true;
    this.live = false;
    clearTimeout(this.timer);
    for (const source of this.sources.values()) source.dispose();
    this.sources.clear();
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task).catch((error: unknown) => {
      this.deps.log(`scalars: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    });
    return this.queue;
  }

  private async sendInit(): Promise<void> {
    if (this.disposed) return;
    await this.readAll(false);
    const series = [...this.data.values()].flatMap((d) => d.allSeries());
    const { maxPointsPerLine, defaultSmoothing } = this.deps.settings();
    this.io.post({ kind: 'notify', type: 'init', payload: { runs: this.describeRuns(), series, settings: { maxPointsPerLine, defaultSmoothing }, state: this.viewState } });
    this.live = true;
    if (this.pendingFilter !== null) {
      this.io.post({ kind: 'notify', type: 'setTagFilter', payload: { tagFilter: this.pendingFilter } });
      this.pendingFilter = null;
    }
    this.schedulePoll(this.deps.pollIntervalMs());
  }

  private schedulePoll(delay: number): void {
    if (this.disposed || !this.live) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.enqueue(() => this.poll()), delay);
  }

  private async poll(): Promise<void> {
    if (!this.live) return;
    this.polling = true;
    try {
      await this.readAll(true);
    } catch (error) {
      this.deps.log(`scalars: poll failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.polling = false;
    }
    const again = this.pokedWhilePolling;
    this.pokedWhilePolling = false;
    this.schedulePoll(again ? 0 : Math.max(50, this.deps.pollIntervalMs()));
  }

  /** Updates every run's source; with `post`, tells the webview what changed. */
  private async readAll(post: boolean): Promise<void> {
    try {
      this.infos = new Map((await this.deps.listRuns()).map((info) => [info.path, info]));
    } catch (error) {
      // Names and status stay as they were; the scalars can still be read.
      this.deps.log(`scalars: listing runs failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    let runsChanged = false;
    await Promise.all(this.runIds.map(async (id) => {
      const run = this.data.get(id)!;
      let source = this.sources.get(id);
      try {
        if (!source) this.sources.set(id, (source = this.deps.createSource(id)));
        const change = run.apply(await source.update());
        if (change.kind === 'none' || !post) return;
        if (change.kind === 'replace') {
          runsChanged = true;
          this.io.post({ kind: 'notify', type: 'replaceRun', payload: { run: id, series: change.series } });
        } else {
          if (change.series.length) this.io.post({ kind: 'notify', type: 'append', payload: { series: change.series } });
          if (change.textsChanged) runsChanged = true;
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (run.error !== message) this.deps.log(`scalars: reading ${id} failed: ${message}`);
        run.error = message;
        if (run.origin === 'pending') run.origin = 'none';
        runsChanged = true;
      }
    }));
    const runs = this.describeRuns();
    const json = JSON.stringify(runs);
    if (post && (runsChanged || json !== this.lastRunsJson)) this.io.post({ kind: 'notify', type: 'runs', payload: { runs } });
    this.lastRunsJson = json;
  }

  private describeRuns(): ScalarsRun[] {
    return this.runIds.map((id) => this.data.get(id)!.describe(this.infos.get(id)));
  }

  private async reply(id: number, work: () => Promise<ExportResult>): Promise<void> {
    try {
      this.io.post({ kind: 'reply', id, result: await work() });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.log(`scalars: export failed: ${message}`);
      this.io.post({ kind: 'reply', id, error: message });
    }
  }

  private async export(params: ExportParams): Promise<ExportResult> {
    const bytes = params.format === 'png' ? pngBytes(params.dataUrl) : this.exportText(params.tag, params.format);
    const path = await this.io.saveFile(exportFileName(params.tag, params.format), params.format, bytes);
    return path === undefined ? { cancelled: true } : { path };
  }

  private exportText(tag: string, format: 'csv' | 'json'): Uint8Array {
    const runs = this.describeRuns();
    const labels = exportLabels(runs);
    const series = runs.flatMap((run) => {
      const s = this.data.get(run.id)!.series.get(tag);
      return s ? [{ run: labels.get(run.id)!, step: s.step, wall: s.wall, value: s.value }] : [];
    });
    if (series.length === 0) throw new Error(`no points for tag ${JSON.stringify(tag)}`);
    return new TextEncoder().encode(format === 'csv' ? scalarsToCsv(tag, series) : scalarsToJson(tag, series));
  }
}

/** Decodes the webview's PNG data URL, refusing anything that is not a PNG. */
export function pngBytes(dataUrl: string | undefined): Uint8Array {
  if (!dataUrl?.startsWith(PNG_PREFIX)) throw new Error(`png export needs a ${PNG_PREFIX}… data URL`);
  const bytes = Buffer.from(dataUrl.slice(PNG_PREFIX.length), 'base64');
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error('png export: data is not a PNG image');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
