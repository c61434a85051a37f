import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openDataset } from '../../../src/core/datasets/openDataset';
import type { DatasetFormat, DatasetRow } from '../../../src/core/datasets/types';
import { validateDataset } from '../../../src/core/datasets/validate/validateDataset';
import { goldenDir } from '../helpers/tempTree';

interface GoldenFact {
  path: string;
  format: DatasetFormat;
  rows: number;
  /** Image references across rows, and how many of those are embedded bytes. */
  images: number;
  embedded?: number;
  imageRoot?: string;
  /** Problem codes validation must find (golden README: post1-4.png are not included). */
  problems?: Record<string, number>;
}

// Facts from /work/shared/golden/README.md, section 3.
const FACTS: GoldenFact[] = [
  { path: 'llava_format_lmms_finetune/example_data/single_image.json', format: 'llava-json', rows: 2, images: 2, imageRoot: 'llava_format_lmms_finetune/example_data/images' },
  { path: 'llava_format_lmms_finetune/example_data/multi_images.json', format: 'llava-json', rows: 2, images: 6, problems: { image_missing: 4 } },
  { path: 'llava_format_lmms_finetune/example_data/single_image_has_text_only.json', format: 'llava-json', rows: 4, images: 2 },
  { path: 'sharegpt_llamafactory/mllm_demo.json', format: 'messages-json', rows: 6, images: 8, imageRoot: 'sharegpt_llamafactory' },
  { path: 'arrow_save_to_disk_medvoyage', format: 'hf-arrow', rows: 161, images: 0 },
  { path: 'arrow_save_to_disk_medvoyage/train', format: 'hf-arrow', rows: 161, images: 0 },
  { path: 'arrow_save_to_disk_medvoyage/hub_parquet/train-00000-of-00001.parquet', format: 'hf-parquet', rows: 161, images: 0 },
  { path: 'parquet_embedded_images_fewshot_cat/train-00000-of-00001.parquet', format: 'hf-parquet', rows: 160, images: 160, embedded: 160, problems: { missing_field: 160 } },
];

describe('datasets: golden files', function () {
  this.timeout(120_000);
  const golden = goldenDir();
  const root = golden ? join(golden, 'datasets') : '';

  for (const fact of FACTS) {
    it(`${fact.path}: ${fact.format}, ${fact.rows} rows, ${fact.images} images`, async function () {
      if (!golden || !existsSync(join(root, fact.path))) this.skip(); // golden files absent on this machine
      const dataset = await openDataset(join(root, fact.path));
      assert.equal(dataset.format, fact.format);
      assert.equal(await dataset.done, fact.rows);
      if (fact.imageRoot) assert.equal(dataset.imageRoot, join(root, fact.imageRoot));
      const rows = await dataset.rows(0, fact.rows);
      assert.equal(rows.length, fact.rows);
      assert.deepEqual(rows.map((r) => r.index), rows.map((_, i) => i));
      assert.equal(rows.reduce((n, r) => n + r.images.length, 0), fact.images);
      assert.equal(rows.reduce((n, r) => n + r.images.filter((i) => i.kind === 'embedded').length, 0), fact.embedded ?? 0);
      const report = await validateDataset(dataset, { imageCheck: 'header', maxLength: 100_000 });
      const found = Object.fromEntries(Object.entries(report.counts).filter(([, n]) => n > 0));
      assert.deepEqual(found, fact.problems ?? {}, JSON.stringify(report.problems.slice(0, 3)));
      await dataset.close();
    });
  }

  it('few-shot-cat images are JPEG bytes (ff d8), not mangled strings', async function () {
    const path = join(root, 'parquet_embedded_images_fewshot_cat');
    if (!golden || !existsSync(path)) this.skip();
    const dataset = await openDataset(path);
    const [row] = await dataset.rows(0, 1);
    const image = row!.images[0]!;
    assert.equal(image.kind, 'embedded');
    if (image.kind === 'embedded') {
      assert.deepEqual([image.bytes[0], image.bytes[1]], [0xff, 0xd8]);
      assert.equal(image.ext, 'jpg');
    }
    await dataset.close();
  });

  it('mllm_demo: LLaMA-Factory <image> markers map to images in order, second marker mid-conversation', async function () {
    const path = join(root, 'sharegpt_llamafactory/mllm_demo.json');
    if (!golden || !existsSync(path)) this.skip();
    const dataset = await openDataset(path);
    const [row] = await dataset.rows(0, 1);
    assert.deepEqual(row!.messages[2]!.content, [{ type: 'text', text: 'What are they doing?' }, { type: 'image', image: 1 }]);
    assert.deepEqual(row!.images.map((i) => i.kind === 'file' && i.written), ['mllm_demo_data/1.jpg', 'mllm_demo_data/1.jpg']);
    await dataset.close();
  });

  it('lmms-finetune: system_prompt becomes the system turn; text-only rows have no images', async function () {
    const path = join(root, 'llava_format_lmms_finetune/example_data/single_image_has_text_only.json');
    if (!golden || !existsSync(path)) this.skip();
    const dataset = await openDataset(path);
    const rows = await dataset.rows(0, 4);
    assert.equal(rows[0]!.messages[0]!.role, 'system');
    assert.deepEqual(rows.map((r) => r.images.length), [1, 1, 0, 0]);
    assert.deepEqual(rows.map((r) => r.line), [2, 24, 37, 49]); // where each '{' is (grep -n)
    await dataset.close();
  });

  it('medvoyage: the Arrow (save_to_disk) and Parquet (Hub) copies agree row for row', async function () {
    const arrowPath = join(root, 'arrow_save_to_disk_medvoyage');
    const parquetPath = join(arrowPath, 'hub_parquet/train-00000-of-00001.parquet');
    if (!golden || !existsSync(arrowPath) || !existsSync(parquetPath)) this.skip();
    const arrow = await openDataset(arrowPath);
    const parquet = await openDataset(parquetPath);
    assert.deepEqual(arrow.splits, ['train']);
    const strip = (rows: DatasetRow[]) => rows.map((r) => ({ index: r.index, id: r.id, messages: r.messages, images: r.images.length }));
    const a = strip(await arrow.rows(0, 161));
    const p = strip(await parquet.rows(0, 161));
    assert.equal(a.length, 161);
    assert.deepEqual(a, p);
    assert.deepEqual(a[0]!.messages.map((m) => m.role), ['system', 'user', 'assistant']);
    await arrow.close();
    await parquet.close();
  });
});
