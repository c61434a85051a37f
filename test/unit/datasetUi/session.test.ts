import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDataset } from '../../../src/core/datasets/openDataset';
import { validateDataset } from '../../../src/core/datasets/validate/validateDataset';
import { ThumbnailCache } from '../../../src/core/images/thumbnails';
import type { ValidationState, ViewInfo } from '../../../src/protocol/dataset';
import { DatasetSession, type SessionEvents } from '../../../src/ui/dataset/session';
import { writeBadCorpus, type BadCorpus } from '../../fixtures/datasets/badCorpus';
import { goldenDir, makeTree } from '../helpers/tempTree';

/** A real session on a real file, with its events recorded. */
async function open(path: string, root: string, params: Partial<{ imageRoot: string; maxLength: number; chunkBytes: number }> = {}) {
  const seen = { validation: [] as ValidationState[], views: [] as ViewInfo[], log: [] as string[] };
  const events: SessionEvents = {
    index: () => undefined,
    validation: (v) => seen.validation.push(v),
    view: (v) => seen.views.push(v),
    notice: () => undefined,
  };
  const thumbnails = new ThumbnailCache({ cacheDir: join(root, 'thumbs') });
  const session = await DatasetSession.open(
    { path, split: null, imageRoot: params.imageRoot ?? null, modelDir: null, maxLength: params.maxLength ?? 2048, chunkBytes: params.chunkBytes },
    { thumbnails, fullImages: thumbnails, log: (m) => seen.log.push(m) }, events,
  );
  const until = async (what: string, ok: () => boolean, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const validated = () => until('validation', () => session.validation()?.done === true);
  return { session, seen, until, validated };
}

describe('dataset preview: session on real files', function () {
  this.timeout(60_000);
  let corpus: BadCorpus;
  before(async () => { corpus = await writeBadCorpus(); });
  after(() => rmSync(corpus.root, { recursive: true, force: true }));

  it('the preview\'s full pass agrees with the core validator row by row (header image checks)', async () => {
    const { session, validated } = await open(corpus.json, corpus.root, { imageRoot: corpus.images });
    await validated();
    const dataset = await openDataset(corpus.json, { imageRoot: corpus.images });
    const report = await validateDataset(dataset, { imageCheck: 'header', maxLength: 2048 });
    await dataset.close();
    const v = session.validation()!;
    assert.deepEqual(v.counts, report.counts);
    assert.equal(v.rowsWithProblems, report.rowsWithProblems);
    assert.equal(v.rowsChecked, 16);
    assert.equal(v.images, report.images);
    // Page problems (the screen's) agree with the report too, duplicate ids included.
    const rows = await session.rows(session.describeView().viewId, 0, 16);
    const onScreen = rows.flatMap((r) => r.problems.map((p) => `${r.index}:${p.code}`)).sort();
    const expected = report.problems.map((p) => `${p.row}:${p.code}`).sort();
    assert.deepEqual(onScreen, expected);
    assert.match(rows[13]!.problems.find((p) => p.code === 'duplicate_id')!.message, /'a0' was already used by row 0/);
    assert.equal(v.overLimit, 1, 'row 12 is the one over 2048');
    assert.ok(v.histogram.counts.reduce((a, b) => a + b, 0) >= 13, 'every row with turns is in the histogram');
    await session.dispose();
  });

  it('filters stream: problems-only, one code, search', async () => {
    const { session, seen, until, validated } = await open(corpus.json, corpus.root, { imageRoot: corpus.images });
    await validated();
    const problems = session.setFilter({ problemsOnly: true, codes: [], query: '' });
    await until('problems view', () => seen.views.some((v) => v.viewId === problems.viewId && v.done));
    assert.equal(session.describeView().count, 13, 'rows 1–14 but 6 (a truncated JPEG: its header is fine, only decoding finds it)');
    const code = session.setFilter({ problemsOnly: true, codes: ['image_outside_root'], query: '' });
    await until('code view', () => seen.views.some((v) => v.viewId === code.viewId && v.done));
    const rows = await session.rows(code.viewId, 0, 10);
    assert.deepEqual(rows.map((r) => r.index), [8, 9]);
    assert.deepEqual(await session.rows(problems.viewId, 0, 10), [], 'a replaced view serves nothing');
    const search = session.setFilter({ problemsOnly: false, codes: [], query: 'CLIP' });
    await until('search view', () => seen.views.some((v) => v.viewId === search.viewId && v.done));
    assert.deepEqual((await session.rows(search.viewId, 0, 10)).map((r) => r.index), [11]);
    assert.equal(session.locate(search.viewId, 5), 0);
    await session.dispose();
  });

  it('thumbnails: data URLs for good files, the reason for bad ones', async () => {
    const { session } = await open(corpus.json, corpus.root, { imageRoot: corpus.images });
    const good = await session.thumbnail(0, 0);
    assert.ok('dataUrl' in good && good.dataUrl.startsWith('data:image/webp;base64,') && good.sourceWidth === 48, JSON.stringify(good).slice(0, 100));
    const cases: [number, string][] = [[5, 'image_missing'], [6, 'image_unreadable'], [7, 'image_too_large'], [14, 'image_unreadable']];
    for (const [row, code] of cases) {
      const bad = await session.thumbnail(row, 0);
      assert.ok('code' in bad && bad.code === code, `row ${row}: ${JSON.stringify(bad)}`);
    }
    assert.deepEqual(await session.image(0, 0), { file: join(corpus.images, 'ok.png') });
    await assert.rejects(session.image(3, 0), /row 3 has no image 1/);
    assert.equal(await session.line(5), 7);
    await session.dispose();
  });

  it('revalidating with another max length moves too_long and the histogram limit', async () => {
    const { session, validated, until } = await open(corpus.json, corpus.root, { imageRoot: corpus.images });
    await validated();
    assert.equal(session.validation()!.counts.too_long, 1);
    session.revalidate(null, 100);
    await until('revalidation', () => session.validation()?.maxLength === 100 && session.validation()!.done);
    const v = session.validation()!;
    assert.ok(v.counts.too_long > 5, `${v.counts.too_long} rows over 100 tokens (each image alone is 576)`);
    assert.equal(v.overLimit, v.counts.too_long);
    await session.dispose();
  });

  it('says when no image path resolves, and not when they do', async () => {
    const unresolved = await open(corpus.json, corpus.root, { imageRoot: corpus.root });
    const notice = await unresolved.session.checkImageRoot();
    assert.ok(notice?.kind === 'imagesUnresolved' && /None of the first \d+ image paths resolve under/.test(notice.message), JSON.stringify(notice));
    await unresolved.session.dispose();
    const resolved = await open(corpus.json, corpus.root, { imageRoot: corpus.images });
    assert.equal(await resolved.session.checkImageRoot(), null);
    await resolved.session.dispose();
  });

  it('cancelling the index keeps the rows found and still validates them', async () => {
    const tree = makeTree({});
    try {
      const file = join(tree.root, 'big.jsonl');
      const line = `${JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(900) }, { role: 'assistant', content: 'y' }] })}\n`;
      writeFileSync(file, line.repeat(20_000)); // ≈ 19 MB in 4 KB chunks: the scan takes long enough to stop it
      const { session, until, validated } = await open(file, tree.root, { chunkBytes: 4096 });
      assert.equal(session.cancelIndex(), true);
      await until('index settled', () => session.index().done);
      const index = session.index();
      assert.equal(index.cancelled, true);
      assert.equal(index.error, null);
      assert.ok(index.rowsFound > 0 && index.rowsFound < 20_000, `${index.rowsFound} rows`);
      await validated();
      assert.equal(session.validation()!.rowsChecked, index.rowsFound);
      assert.equal(session.cancelIndex(), false, 'nothing left to cancel');
      await session.dispose();
    } finally {
      tree.remove();
    }
  });

  it('a file that fails while indexing rejects open, and its progress never reaches a half-made session', async () => {
    const tree = makeTree({ 'blank.json': `[${' '.repeat(4 << 20)}` }); // an array that never starts its first row
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    try {
      await assert.rejects(open(join(tree.root, 'blank.json'), tree.root, { chunkBytes: 4096 }), /truncated|end|unexpected|no rows|JSON/i);
      await new Promise((resolve) => setTimeout(resolve, 400)); // past the progress throttle
      assert.deepEqual(uncaught, []);
    } finally {
      process.off('uncaughtException', record);
      tree.remove();
    }
  });

  it('golden parquet: embedded images become thumbnails and lightbox renders', async function () {
    const golden = goldenDir();
    if (!golden) this.skip();
    const { session } = await open(join(golden!, 'datasets/parquet_embedded_images_fewshot_cat/train-00000-of-00001.parquet'), corpus.root);
    assert.equal(session.info().hasLines, false);
    const [row] = await session.rows(session.describeView().viewId, 0, 1);
    assert.deepEqual(row!.images[0], { kind: 'embedded', written: null, ext: 'jpg', bytes: row!.images[0]!.kind === 'embedded' ? row!.images[0]!.bytes : -1 });
    const thumb = await session.thumbnail(0, 0);
    assert.ok('dataUrl' in thumb && thumb.width <= 160);
    const full = await session.image(0, 0);
    assert.ok('render' in full && full.render.sourceWidth === 256);
    await session.dispose();
  });
});
