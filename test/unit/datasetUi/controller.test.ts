import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ThumbnailCache } from '../../../src/core/images/thumbnails';
import type { DatasetHostMessage, InitPayload, ValidationState } from '../../../src/protocol/dataset';
import { DatasetController, initialViewState, panelTitle, type DatasetSettings } from '../../../src/ui/dataset/controller';
import { DatasetSession } from '../../../src/ui/dataset/session';
import { writeBadCorpus, type BadCorpus } from '../../fixtures/datasets/badCorpus';

const TINY_MODEL = join(__dirname, '../../fixtures/tiny-llava/model');

/** The real controller and session; only the VS Code actions are recorded. */
function harness(path: string, root: string, settings: Partial<DatasetSettings> = {}, picked?: string) {
  const posted: DatasetHostMessage[] = [];
  const actions: string[] = [];
  const log: string[] = [];
  const titles: string[] = [];
  const thumbnails = new ThumbnailCache({ cacheDir: join(root, 'thumbs') });
  const controller = new DatasetController(initialViewState(path), {
    openSession: (params, events) => DatasetSession.open(params, { thumbnails, fullImages: thumbnails, log: (m) => log.push(m) }, events),
    settings: () => ({ maxLength: 2048, modelDir: null, imageRoot: null, ...settings }),
    openLine: async (file, line) => { actions.push(`line ${file}:${line}`); return true; },
    openFile: async (file) => { actions.push(`file ${file}`); },
    openExternal: async (url) => { actions.push(`url ${url}`); },
    pickFolder: async () => picked,
    log: (m) => log.push(m),
  }, { post: (m) => posted.push(m), setTitle: (t) => titles.push(t) });
  let id = 0;
  const request = async (method: string, params: unknown) => {
    const requestId = ++id;
    await controller.handleMessage({ kind: 'request', id: requestId, method, params });
    const reply = posted.find((m) => m.kind === 'reply' && m.id === requestId);
    assert.ok(reply && reply.kind === 'reply', `no reply to ${method}`);
    if (reply.error !== undefined) throw new Error(reply.error);
    return reply.result as never;
  };
  const notifies = (type: string) => posted.filter((m) => m.kind === 'notify' && m.type === type).map((m) => (m as { payload: unknown }).payload);
  const until = async (what: string, ok: () => boolean) => {
    const end = Date.now() + 20_000;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  /** The newest validation state the page has: from init or a later update. */
  const lastValidation = () => (notifies('validation').at(-1) ?? (notifies('init').at(-1) as InitPayload | undefined)?.validation ?? undefined) as ValidationState | undefined;
  const lastNotice = () => (notifies('notice').at(-1) as { notice: unknown } | undefined)?.notice ?? (notifies('init').at(-1) as InitPayload | undefined)?.notice ?? null;
  return { controller, posted, actions, log, titles, request, notifies, until, lastValidation, lastNotice };
}

describe('dataset preview: controller', function () {
  this.timeout(60_000);
  let corpus: BadCorpus;
  before(async () => { corpus = await writeBadCorpus(); });
  after(() => rmSync(corpus.root, { recursive: true, force: true }));

  it('answers ready with init, then streams; nothing is posted before ready', async () => {
    const h = harness(corpus.json, corpus.root, { imageRoot: corpus.images });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(h.posted, [], 'the page has not said ready');
    await h.controller.handleMessage({ kind: 'notify', type: 'ready', payload: {} });
    const [init] = h.notifies('init') as InitPayload[];
    assert.equal(init!.info.format, 'llava-json');
    assert.equal(init!.info.hasLines, true);
    assert.equal(init!.view.count, 16);
    assert.deepEqual(h.titles, [panelTitle(corpus.json, null)]);
    await h.until('validation done', () => h.lastValidation()?.done === true);
    assert.equal(h.lastValidation()!.counts.duplicate_id, 1);
    h.controller.dispose();
  });

  it('ignores and logs malformed messages without replying', async () => {
    const h = harness(corpus.json, corpus.root, { imageRoot: corpus.images });
    const bad: unknown[] = [
      null, 42, 'ready', { kind: 'notify', type: 'eval', payload: {} },
      { kind: 'request', id: 1, method: 'rows', params: { viewId: 1, start: 0, end: 100_000 } },
      { kind: 'request', id: 2, method: 'openLine', params: { row: -1 } },
      { kind: 'request', id: 3, method: 'openImage', params: { row: 0, image: 0, path: '/etc/passwd' } },
    ];
    for (const message of bad) await h.controller.handleMessage(message);
    assert.equal(h.posted.length, 0);
    assert.equal(h.log.filter((l) => l.startsWith('dataset preview: ignored invalid message')).length, bad.length, h.log.join('\n'));
    assert.deepEqual(h.actions, []);
    h.controller.dispose();
  });

  it('serves pages, opens lines and images, and reports errors as replies', async () => {
    const h = harness(corpus.json, corpus.root, { imageRoot: corpus.images });
    await h.controller.handleMessage({ kind: 'notify', type: 'ready', payload: {} });
    const viewId = (h.notifies('init')[0] as InitPayload).view.viewId;
    const page = await h.request('rows', { viewId, start: 4, end: 8 }) as { start: number; rows: { index: number; line: number }[] };
    assert.deepEqual(page.rows.map((r) => [r.index, r.line]), [[4, 6], [5, 7], [6, 8], [7, 9]]);
    assert.deepEqual(await h.request('openLine', { row: 5 }), { opened: true });
    assert.deepEqual(await h.request('openImage', { row: 0, image: 0 }), { opened: true });
    assert.deepEqual(h.actions, [`line ${corpus.json}:7`, `file ${join(corpus.images, 'ok.png')}`]);
    await assert.rejects(h.request('openImage', { row: 3, image: 0 }), /row 3 has no image 1/);
    await assert.rejects(h.request('setSplit', { split: 'test' }), /no split 'test'/);
    h.controller.dispose();
  });

  it('max length and model: the validation follows, with the model\'s own tokenizer', async () => {
    const h = harness(corpus.json, corpus.root, { imageRoot: corpus.images }, TINY_MODEL);
    await h.controller.handleMessage({ kind: 'notify', type: 'ready', payload: {} });
    await h.request('setMaxLength', { value: 100 });
    await h.until('revalidated at 100', () => h.lastValidation()?.maxLength === 100 && h.lastValidation()!.done);
    assert.ok(h.lastValidation()!.counts.too_long > 1);
    assert.equal(h.controller.state.maxLength, 100, 'remembered in the panel state');
    const chosen = await h.request('chooseModel', { mode: 'pick' }) as { modelDir: string | null };
    assert.equal(chosen.modelDir, TINY_MODEL);
    await h.until('tokenizer counts', () => /tokenizer \+ chat template of/.test(h.lastValidation()?.tokenBasis ?? '') && h.lastValidation()!.done);
    const v = h.lastValidation()!;
    assert.equal(v.modelDir, TINY_MODEL);
    assert.ok(v.imageTokensPerImage > 0 && v.imageTokensPerImage < 576, `the tiny model's own image tokens: ${v.imageTokensPerImage}`);
    const estimate = await h.request('chooseModel', { mode: 'estimate' }) as { modelDir: string | null };
    assert.equal(estimate.modelDir, null);
    await h.until('estimate again', () => /^estimate/.test(h.lastValidation()?.tokenBasis ?? '') && h.lastValidation()!.done);
    assert.match(h.lastValidation()!.tokenBasis, /choose a model folder for exact counts/);
    h.controller.dispose();
  });

  it('a model folder without a tokenizer falls back to the estimate and says why', async () => {
    const h = harness(corpus.json, corpus.root, { imageRoot: corpus.images, modelDir: corpus.images });
    await h.controller.handleMessage({ kind: 'notify', type: 'ready', payload: {} });
    await h.until('notice', () => h.lastNotice() !== null);
    const notice = h.lastNotice() as { kind: string; message: string };
    assert.equal(notice.kind, 'error');
    assert.match(notice.message, /lacks tokenizer\.json and tokenizer_config\.json.*estimated instead/);
    await h.until('validated', () => h.lastValidation()?.done === true);
    assert.match(h.lastValidation()!.tokenBasis, /^estimate/);
    h.controller.dispose();
  });

  it('a path that cannot be opened says so instead of init', async () => {
    const h = harness(join(corpus.root, 'nope.jsonl'), corpus.root);
    await h.controller.handleMessage({ kind: 'notify', type: 'ready', payload: {} });
    const [failed] = h.notifies('failed') as { message: string }[];
    assert.match(failed!.message, /no such file or folder/);
    await assert.rejects(h.request('rows', { viewId: 1, start: 0, end: 1 }), /no such file or folder/);
    h.controller.dispose();
  });

  it('keeps the view state the page reports, for the serializer', async () => {
    const h = harness(corpus.json, corpus.root, { imageRoot: corpus.images });
    const state = { ...initialViewState(corpus.json), topRow: 9, filter: { problemsOnly: true, codes: [], query: '' } };
    await h.controller.handleMessage({ kind: 'notify', type: 'state', payload: state });
    assert.equal(h.controller.state.topRow, 9);
    await h.controller.handleMessage({ kind: 'notify', type: 'state', payload: { ...state, path: '/elsewhere.json' } });
    assert.equal(h.controller.state.path, corpus.json, 'another dataset\'s state is not taken');
    h.controller.dispose();
  });
});
