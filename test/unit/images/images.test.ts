import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { checkImage, readImageHeader } from '../../../src/core/images/safeImage';
import { ThumbnailCache, ThumbnailError } from '../../../src/core/images/thumbnails';
import { bombPng, noisyJpeg } from '../../fixtures/datasets/badCorpus';
import { makeTree } from '../helpers/tempTree';

describe('images: safe header read and decode', function () {
  this.timeout(30_000);

  it('reads dimensions from the header and refuses a decompression bomb without decoding it', async () => {
    const bomb = bombPng(40000, 40000); // 1.6 billion pixels claimed by a ~1 KB file
    const started = process.memoryUsage().rss;
    const verdict = await checkImage(bomb);
    assert.equal(verdict.ok, false);
    assert.ok(!verdict.ok && verdict.code === 'image_too_large' && /40000×40000 = 1,600,000,000 pixels/.test(verdict.reason));
    assert.ok(process.memoryUsage().rss - started < 200 * 2 ** 20, 'nothing was decoded');
    const small = await readImageHeader(bomb, 2e9);
    assert.deepEqual(small.ok && small.header, { width: 40000, height: 40000, format: 'png' });
  });

  const cases: [string, () => Promise<Uint8Array>, boolean | string][] = [
    ['a clean JPEG', () => noisyJpeg(64, 48), true],
    ['a truncated JPEG (valid header)', async () => (await noisyJpeg(64, 48)).subarray(0, 900), 'image_unreadable'],
    ['text bytes', async () => Buffer.from('not an image'), 'image_unreadable'],
    ['an empty buffer', async () => Buffer.alloc(0), 'image_unreadable'],
  ];
  for (const [name, make, expected] of cases) {
    it(`decode check: ${name}`, async () => {
      const verdict = await checkImage(await make());
      assert.equal(verdict.ok ? true : verdict.code, expected);
    });
  }

  it('the pixel limit is a parameter', async () => {
    const jpeg = await noisyJpeg(64, 48);
    const verdict = await checkImage(jpeg, { maxPixels: 1000 });
    assert.ok(!verdict.ok && verdict.code === 'image_too_large');
  });
});

describe('images: thumbnails', function () {
  this.timeout(30_000);

  it('makes a bounded thumbnail, caches it on disk by content, and hits the cache from a fresh instance', async () => {
    const tree = makeTree({ 'cache/': '' });
    try {
      const source = join(tree.root, 'a.jpg');
      writeFileSync(source, await noisyJpeg(640, 480));
      const cache = new ThumbnailCache({ cacheDir: join(tree.root, 'cache') });
      const first = await cache.thumbnail({ path: source });
      assert.deepEqual([first.width, first.height, first.sourceWidth, first.sourceHeight, first.cached, first.mime], [160, 120, 640, 480, false, 'image/webp']);
      assert.equal((await sharp(first.data).metadata()).format, 'webp');
      const again = await cache.thumbnail({ path: source });
      assert.ok(again.cached);
      // A copy under another name has the same content: a fresh instance finds it on disk.
      const copy = join(tree.root, 'copy.jpg');
      copyFileSync(source, copy);
      const fresh = await new ThumbnailCache({ cacheDir: join(tree.root, 'cache') }).thumbnail({ path: copy });
      assert.ok(fresh.cached);
      assert.deepEqual(fresh.data, first.data);
      const entries = readdirSync(join(tree.root, 'cache'), { recursive: true }).map(String).filter((f) => f.endsWith('.webp'));
      assert.equal(entries.length, 1, 'one content entry for both names');
    } finally {
      tree.remove();
    }
  });

  it('rejects missing, undecodable and oversized images with the validation codes', async () => {
    const tree = makeTree({ 'bad.png': 'nope' });
    try {
      const cache = new ThumbnailCache({ cacheDir: join(tree.root, 'cache') });
      const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof ThumbnailError ? e.code : String(e)));
      assert.equal(await code(cache.thumbnail({ path: join(tree.root, 'none.png') })), 'image_missing');
      assert.equal(await code(cache.thumbnail({ path: join(tree.root, 'bad.png') })), 'image_unreadable');
      assert.equal(await code(cache.thumbnail({ bytes: bombPng(30000, 30000) })), 'image_too_large');
    } finally {
      tree.remove();
    }
  });
});
