/**
 * One Dataset Preview panel's host logic (vscode-free): opens the session, answers `ready` with
 * `init`, relays the session's progress, serves pages, thumbnails and the header's pickers. Every
 * inbound message is validated; a bad one is logged and ignored.
 */
import { basename } from 'node:path';
import {
  NO_FILTER, parseDatasetWebviewMessage, type DatasetHostMessage, type DatasetResults, type DatasetViewState,
  type DatasetWebviewMessage, type Notice, type OpenImageResult,
} from '../../protocol/dataset';
import type { DatasetSession, SessionEvents, SessionParams } from './session';
import { thumbnailDataUrl } from './thumbnailResult';

/** Settings as they apply to this dataset (paths already resolved). */
export interface DatasetSettings {
  maxLength: number;
  modelDir: string | null;
  imageRoot: string | null;
}

export interface DatasetControllerDeps {
  openSession(params: SessionParams, events: SessionEvents): Promise<DatasetSession>;
  settings(datasetPath: string): DatasetSettings;
  /** Opens the file at a 1-based line; resolves false when it was not opened (and the user was told why). */
  openLine(path: string, line: number, bytes: number): Promise<boolean>;
  openFile(path: string): Promise<void>;
  openExternal(url: string): Promise<void>;
  pickFolder(title: string, near: string): Promise<string | undefined>;
  log(message: string): void;
}

export interface DatasetIO {
  post(message: DatasetHostMessage): void;
  setTitle(title: string): void;
}

type Requests = Extract<DatasetWebviewMessage, { kind: 'request' }>;
type Handler<M extends Requests['method']> = (params: Extract<Requests, { method: M }>['params']) => Promise<DatasetResults[M]>;

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function initialViewState(path: string, split: string | null = null): DatasetViewState {
  return { path, split, filter: NO_FILTER, topRow: 0, modelDir: null, maxLength: null, imageRoot: null };
}

/** "Dataset: train.jsonl", with the split for DatasetDict folders. */
export function panelTitle(path: string, split: string | null): string {
  return `Dataset: ${basename(path)}${split ? ` [${split}]` : ''}`;
}

export class DatasetController {
  private session: DatasetSession | null = null;
  private opening: Promise<void>;
  private failure: string | null = null;
  private notice: Notice | null = null;
  private generation = 0;
  /** The page has had `init` and takes incremental messages. */
  private live = false;
  private disposed = false;

  constructor(private viewState: DatasetViewState, private readonly deps: DatasetControllerDeps, private readonly io: DatasetIO) {
    this.opening = this.open();
  }

  get state(): DatasetViewState {
    return this.viewState;
  }

  /** Handles one message from the webview; never throws. */
  async handleMessage(raw: unknown): Promise<void> {
    let message: DatasetWebviewMessage;
    try {
      message = parseDatasetWebviewMessage(raw);
    } catch (error) {
      this.deps.log(`dataset preview: ignored ${errorText(error)}`);
      return;
    }
    if (message.kind === 'request') {
      const handler = this.handlers[message.method] as (params: unknown) => Promise<unknown>;
      try {
        this.io.post({ kind: 'reply', id: message.id, result: await handler(message.params) });
      } catch (error) {
        this.io.post({ kind: 'reply', id: message.id, error: errorText(error) });
      }
      return;
    }
    switch (message.type) {
      case 'ready':
        this.live = false;
        await this.opening;
        return this.sendInit();
      case 'state':
        if (message.payload.path === this.viewState.path) this.viewState = message.payload;
        return;
      case 'visible':
        this.session?.setVisible(message.payload.viewId, message.payload.start, message.payload.end);
        return;
    }
  }

  /** Settings changed: follow them where the panel has no choice of its own. */
  settingsChanged(): void {
    const settings = this.deps.settings(this.viewState.path);
    const s = this.session;
    if (!s) return;
    if (this.viewState.imageRoot === null && (settings.imageRoot ?? null) !== s.params.imageRoot) {
      void this.reopen();
      return;
    }
    const { modelDir, maxLength } = this.effective();
    if (modelDir !== s.params.modelDir || maxLength !== s.params.maxLength) s.revalidate(modelDir, maxLength);
  }

  dispose(): void {
    this.disposed = true;
    this.live = false;
    void this.session?.dispose();
    this.session = null;
  }

  private effective(): { modelDir: string | null; maxLength: number; imageRoot: string | null } {
    const settings = this.deps.settings(this.viewState.path);
    const modelDir = this.viewState.modelDir === null ? settings.modelDir : this.viewState.modelDir === '' ? null : this.viewState.modelDir;
    return { modelDir, maxLength: this.viewState.maxLength ?? settings.maxLength, imageRoot: this.viewState.imageRoot ?? settings.imageRoot };
  }

  private async open(): Promise<void> {
    const generation = ++this.generation;
    const { modelDir, maxLength, imageRoot } = this.effective();
    const params: SessionParams = { path: this.viewState.path, split: this.viewState.split, imageRoot, modelDir, maxLength };
    const current = () => generation === this.generation && !this.disposed;
    const events: SessionEvents = {
      index: (state) => { if (current() && this.live) this.io.post({ kind: 'notify', type: 'index', payload: state }); },
      validation: (state) => { if (current() && this.live) this.io.post({ kind: 'notify', type: 'validation', payload: state }); },
      view: (info) => { if (current() && this.live) this.io.post({ kind: 'notify', type: 'view', payload: info }); },
      notice: (notice) => {
        if (!current()) return;
        this.notice = notice;
        if (this.live) this.io.post({ kind: 'notify', type: 'notice', payload: { notice } });
      },
    };
    this.failure = null;
    this.notice = null;
    try {
      const session = await this.deps.openSession(params, events);
      if (!current()) {
        await session.dispose();
        return;
      }
      this.session = session;
      const info = session.info();
      this.viewState = { ...this.viewState, split: info.split };
      this.io.setTitle(panelTitle(info.path, info.split));
      session.setFilter(this.viewState.filter);
      this.notice = (await session.checkImageRoot().catch(() => null)) ?? this.notice;
    } catch (error) {
      if (!current()) return;
      this.failure = errorText(error);
      this.deps.log(`dataset preview: cannot open ${this.viewState.path}: ${this.failure}`);
    }
  }

  private async reopen(): Promise<void> {
    const old = this.session;
    this.session = null;
    this.live = false;
    this.opening = this.open();
    void old?.dispose();
    await this.opening;
    await this.sendInit();
  }

  private sendInit(): void {
    if (this.disposed) return;
    const s = this.session;
    if (!s) {
      this.io.post({ kind: 'notify', type: 'failed', payload: { path: this.viewState.path, message: this.failure ?? 'the dataset is not open' } });
      return;
    }
    this.io.post({
      kind: 'notify', type: 'init',
      payload: { info: s.info(), index: s.index(), validation: s.validation(), view: s.describeView(), state: this.viewState, notice: this.notice },
    });
    this.live = true;
  }

  private requireSession(): DatasetSession {
    if (!this.session) throw new Error(this.failure ?? 'the dataset is still opening');
    return this.session;
  }

  private readonly handlers: { [M in Requests['method']]: Handler<M> } = {
    rows: async ({ viewId, start, end }) => ({ viewId, start, rows: await this.requireSession().rows(viewId, start, end) }),
    setFilter: async (filter) => {
      this.viewState = { ...this.viewState, filter };
      return this.requireSession().setFilter(filter);
    },
    locate: async ({ viewId, row }) => ({ position: this.requireSession().locate(viewId, row) }),
    thumbnail: ({ row, image }) => this.requireSession().thumbnail(row, image),
    openImage: async ({ row, image }): Promise<OpenImageResult> => {
      const found = await this.requireSession().image(row, image);
      if ('file' in found) await this.deps.openFile(found.file);
      else if ('url' in found) await this.deps.openExternal(found.url);
      else return { dataUrl: thumbnailDataUrl(found.render), width: found.render.width, height: found.render.height, sourceWidth: found.render.sourceWidth, sourceHeight: found.render.sourceHeight };
      return { opened: true };
    },
    openLine: async ({ row }) => {
      const s = this.requireSession();
      const line = await s.line(row);
      if (line === null) throw new Error(`row ${row} has no line: ${s.info().format} rows live in columns, not lines`);
      return { opened: await this.deps.openLine(s.info().path, line, s.info().totalBytes) };
    },
    cancelIndex: async () => ({ cancelled: this.requireSession().cancelIndex() }),
    setSplit: async ({ split }) => {
      const s = this.requireSession();
      if (!s.info().splits.includes(split)) throw new Error(`no split '${split}' (splits: ${s.info().splits.join(', ')})`);
      this.viewState = { ...this.viewState, split, filter: NO_FILTER, topRow: 0 };
      void this.reopen();
      return { ok: true };
    },
    chooseModel: async ({ mode }) => {
      const s = this.requireSession();
      if (mode === 'pick') {
        const folder = await this.deps.pickFolder('Model folder for token counts (tokenizer.json + tokenizer_config.json)', s.info().path);
        if (!folder) return { modelDir: s.params.modelDir };
        this.viewState = { ...this.viewState, modelDir: folder };
      } else {
        this.viewState = { ...this.viewState, modelDir: mode === 'setting' ? null : '' };
      }
      const { modelDir, maxLength } = this.effective();
      s.revalidate(modelDir, maxLength);
      return { modelDir };
    },
    setMaxLength: async ({ value }) => {
      this.viewState = { ...this.viewState, maxLength: value };
      const { modelDir, maxLength } = this.effective();
      this.requireSession().revalidate(modelDir, maxLength);
      return { ok: true };
    },
    chooseImageRoot: async () => {
      const s = this.requireSession();
      const folder = await this.deps.pickFolder('Folder the dataset\'s image paths are relative to', s.info().imageRoot);
      if (!folder) return { imageRoot: null };
      this.viewState = { ...this.viewState, imageRoot: folder, topRow: 0 };
      void this.reopen();
      return { imageRoot: folder };
    },
  };
}
