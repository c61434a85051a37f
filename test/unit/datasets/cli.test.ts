import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli';
import { PROBLEM_CODES } from '../../../src/core/datasets/types';
import { writeMixDatasetDict } from '../../fixtures/datasets/arrowFixture';
import { writeBadCorpus, type BadCorpus } from '../../fixtures/datasets/badCorpus';
import { goldenDir } from '../helpers/tempTree';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

interface ValidateJson {
  format: string;
  rows: number;
  images: number;
  problems: { row: number; line: number | null; code: string; message: string }[];
  counts: Record<string, number>;
}

describe('cli: validate and convert', function () {
  this.timeout(120_000);
  let corpus: BadCorpus;
  before(async () => { corpus = await writeBadCorpus(); });
  after(() => rmSync(corpus.root, { recursive: true, force: true }));

  it('validate --json: the contract shape, exit 1 when problems were found', async () => {
    const { code, out } = await cli('validate', corpus.json, '--images', corpus.images, '--json');
    assert.equal(code, 1);
    const report = JSON.parse(out) as ValidateJson;
    assert.deepEqual(Object.keys(report), ['format', 'rows', 'images', 'problems', 'counts']);
    assert.equal(report.format, 'llava-json');
    assert.equal(report.rows, corpus.rows);
    assert.deepEqual(Object.keys(report.counts), [...PROBLEM_CODES]);
    for (const p of report.problems) {
      assert.deepEqual(Object.keys(p), ['row', 'line', 'code', 'message']);
      assert.ok(Number.isInteger(p.row) && (p.line === null || Number.isInteger(p.line)) && typeof p.message === 'string');
    }
    assert.equal(report.problems.length, Object.values(report.counts).reduce((a, b) => a + b, 0));
  });

  it('validate without --json: counts by code and the first problems with row and line', async () => {
    const { code, out } = await cli('validate', corpus.json, '--images', corpus.images);
    assert.equal(code, 1);
    assert.match(out, /llava-json, 16 rows/);
    assert.match(out, /problems by code:\n(.|\n)*image_missing\s+1/);
    assert.match(out, /row 5 \(line 7\): image_missing: image 1: 'nope\.jpg' not found/);
  });

  it('exit 0 on a clean dataset, 2 (one line) when the input cannot be read', async () => {
    const clean = join(corpus.root, 'clean.jsonl');
    writeFileSync(clean, '{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}\n');
    assert.equal((await cli('validate', clean, '--json')).code, 0);
    const truncated = join(corpus.root, 'truncated.json');
    writeFileSync(truncated, readFileSync(corpus.json).subarray(0, 300));
    const bad = await cli('validate', truncated, '--json');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /^llava-studio validate: cannot read .*truncated json: file ends at byte 300 inside row \d+/);
    assert.equal(bad.err.trim().split('\n').length, 1);
    const missing = await cli('validate', join(corpus.root, 'nothing-here.json'));
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no such file or folder/);
    assert.equal((await cli('validate', corpus.json, '--format', 'csv')).code, 2);
  });

  it('convert → validate round trip keeps rows and images, and writes atomically', async () => {
    const out = join(corpus.root, 'out', 'canonical.jsonl');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(corpus.root, 'out'));
    const converted = await cli('convert', corpus.json, '--to', 'messages-jsonl', out, '--images', corpus.images);
    assert.equal(converted.code, 1, converted.out); // the invalid-JSON row is left out, the no-turns row kept bare, and said so
    assert.match(converted.out, /15 of 16 rows/);
    assert.match(converted.out, /row 2 \(line 4\): missing_field: row has no turns, written with its images only/);
    assert.match(converted.out, /row 1 \(line 3\): invalid_json/);
    assert.match(converted.out, /video part left out/);
    assert.deepEqual(readdirSync(join(corpus.root, 'out')), ['canonical.jsonl'], 'no temporary files left');
    const first = JSON.parse(readFileSync(out, 'utf8').split('\n')[0]!) as { messages: unknown; images: string[]; id: string };
    assert.deepEqual(first.messages, [
      { role: 'user', content: [{ type: 'image' }, { type: 'text', text: '\nWhat is shown?' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'A red square.' }] },
    ]);
    assert.equal(first.images[0], join(corpus.images, 'ok.png'), 'images outside the output folder are absolute');
    const original = JSON.parse((await cli('validate', corpus.json, '--images', corpus.images, '--json')).out) as ValidateJson;
    const again = JSON.parse((await cli('validate', out, '--json')).out) as ValidateJson;
    assert.equal(again.format, 'messages-jsonl');
    assert.equal(again.rows, 15);
    assert.equal(again.images, original.images, 'every image survives');
  });

  it('convert writes embedded image bytes next to OUT and the output validates with the same rows and images', async () => {
    const root = join(corpus.root, 'mix');
    await writeMixDatasetDict(root, { train: 5 });
    const out = join(corpus.root, 'mix.jsonl');
    const converted = await cli('convert', root, '--to', 'messages-jsonl', out);
    assert.equal(converted.code, 0, converted.out);
    assert.match(converted.out, /5 embedded images written to .*mix\.jsonl_images\//);
    const files = readdirSync(join(corpus.root, 'mix.jsonl_images')).filter((f) => !f.startsWith('.')).sort();
    assert.deepEqual(files, ['0-0.png', '1-0.png', '2-0.png', '3-0.png', '4-0.png']);
    const line = JSON.parse(readFileSync(out, 'utf8').split('\n')[3]!) as { images: string[] };
    assert.deepEqual(line.images, ['mix.jsonl_images/3-0.png']);
    const before = JSON.parse((await cli('validate', root, '--json')).out) as ValidateJson;
    const after = await cli('validate', out, '--json');
    assert.equal(after.code, 0, after.out);
    const report = JSON.parse(after.out) as ValidateJson;
    assert.deepEqual([report.rows, report.images], [before.rows, before.images]);
  });

  it('convert again replaces its own images folder, and refuses to replace a folder it did not write', async () => {
    const root = join(corpus.root, 'mix2');
    await writeMixDatasetDict(root, { train: 3 });
    const out = join(corpus.root, 'mix2.jsonl');
    assert.equal((await cli('convert', root, '--to', 'messages-jsonl', out)).code, 0);
    const again = await cli('convert', root, '--to', 'messages-jsonl', out);
    assert.equal(again.code, 0, again.out);
    assert.deepEqual(readdirSync(join(corpus.root, 'mix2.jsonl_images')).filter((f) => !f.startsWith('.')).sort(), ['0-0.png', '1-0.png', '2-0.png']);
    assert.deepEqual(readdirSync(corpus.root).filter((f) => f.includes('.old') || f.includes('.tmp-')), [], 'nothing left aside');

    const foreign = join(corpus.root, 'mine.jsonl');
    mkdirSync(`${foreign}_images`);
    writeFileSync(join(`${foreign}_images`, 'keep.txt'), 'user data');
    const refused = await cli('convert', root, '--to', 'messages-jsonl', foreign);
    assert.equal(refused.code, 2, refused.out + refused.err);
    assert.match(refused.err, /refusing to replace .*mine\.jsonl_images/);
    assert.doesNotMatch(refused.err, /unexpected error/);
    assert.equal(readFileSync(join(`${foreign}_images`, 'keep.txt'), 'utf8'), 'user data');
  });

  it('--mapping reads other layouts; bad mappings exit 2', async () => {
    const file = join(corpus.root, 'dialog.json');
    writeFileSync(file, JSON.stringify([{ dialog: [{ speaker: 'customer', says: 'hi' }, { speaker: 'agent', says: 'hello' }] }]));
    const mapping = JSON.stringify({ messages: 'dialog', role: 'speaker', content: 'says', roles: { user: ['customer'], assistant: ['agent'] } });
    const ok = await cli('validate', file, '--mapping', mapping, '--json');
    assert.equal(ok.code, 0, ok.out);
    assert.equal((await cli('validate', file, '--json')).code, 1, 'without the mapping the rows have no turns');
    const bad = await cli('validate', file, '--mapping', '{"turns": "dialog"}');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /unknown keys turns/);
  });

  it('convert usage errors exit 2', async () => {
    assert.equal((await cli('convert', corpus.json, 'x.jsonl')).code, 2);
    assert.equal((await cli('convert', corpus.json, '--to', 'parquet', 'x.parquet')).code, 2);
    assert.ok(!existsSync('x.jsonl'));
  });

  it('convert never loses embedded images, even of rows without turns (few-shot-cat)', async function () {
    const golden = goldenDir();
    const folder = golden && join(golden, 'datasets/parquet_embedded_images_fewshot_cat');
    if (!folder || !existsSync(folder)) this.skip();
    const out = join(corpus.root, 'cat.jsonl');
    const converted = await cli('convert', folder, '--to', 'messages-jsonl', out);
    assert.equal(converted.code, 1);
    assert.match(converted.out, /160 of 160 rows, 160 images, 160 embedded images written/);
    assert.equal(readdirSync(`${out}_images`).filter((f) => f.endsWith('.jpg')).length, 160);
  });

  it('validates a golden file through the CLI', async function () {
    const golden = goldenDir();
    const file = golden && join(golden, 'datasets/sharegpt_llamafactory/mllm_demo.json');
    if (!file || !existsSync(file)) this.skip();
    const { code, out } = await cli('validate', file, '--json');
    assert.equal(code, 0, out);
    assert.deepEqual((({ format, rows, images }) => ({ format, rows, images }))(JSON.parse(out) as ValidateJson), { format: 'messages-json', rows: 6, images: 8 });
  });
});
