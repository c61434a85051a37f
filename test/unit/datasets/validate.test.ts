import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { openDataset } from '../../../src/core/datasets/openDataset';
import { PROBLEM_CODES, type ProblemCode } from '../../../src/core/datasets/types';
import { validateDataset } from '../../../src/core/datasets/validate/validateDataset';
import { writeBadCorpus, type BadCorpus } from '../../fixtures/datasets/badCorpus';

describe('datasets: validation of the bad-input corpus', function () {
  this.timeout(60_000);
  let corpus: BadCorpus;
  before(async () => { corpus = await writeBadCorpus(); });
  after(() => rmSync(corpus.root, { recursive: true, force: true }));

  it('reports each problem code for exactly its rows, and nothing for the clean rows', async () => {
    const dataset = await openDataset(corpus.json, { imageRoot: corpus.images });
    const report = await validateDataset(dataset);
    await dataset.close();
    const byCode = Object.fromEntries(PROBLEM_CODES.map((code) => [code, [] as number[]])) as Record<ProblemCode, number[]>;
    for (const p of report.problems) byCode[p.code].push(p.row);
    assert.deepEqual(byCode, corpus.expected, JSON.stringify(report.problems, null, 1));
    assert.equal(report.rows, corpus.rows);
    assert.equal(report.rowsOk, 2);
    for (const code of PROBLEM_CODES) assert.equal(report.counts[code], corpus.expected[code].length, code);
  });

  it('gives every problem its line and a message that names the offending value', async () => {
    const dataset = await openDataset(corpus.json, { imageRoot: corpus.images });
    const { problems } = await validateDataset(dataset);
    await dataset.close();
    const find = (code: ProblemCode): string => problems.find((p) => p.code === code)!.message;
    for (const p of problems) assert.equal(p.line, p.row + 2, `row ${p.row}`); // one row per line after '['
    assert.match(find('image_missing'), /'nope\.jpg' not found/);
    assert.match(find('image_too_large'), /30000×30000 = 900,000,000 pixels.*not decoded/);
    assert.match(find('duplicate_id'), /'a0' was already used by row 0/);
    assert.match(find('too_long'), /estimate: \d+ text chars ÷ 3\.6.*> max length 2048/);
    assert.match(find('invalid_json'), /not valid JSON: .*(at byte \d+ \(line 3\)|row starts at byte 1\d\d)/);
    assert.ok(problems.some((p) => p.code === 'image_outside_root' && /symlink/.test(p.message)));
    assert.ok(problems.some((p) => p.code === 'image_outside_root' && /'\.\.'/.test(p.message)));
  });

  it('header-only image checks skip decoding but still refuse the bomb', async () => {
    const dataset = await openDataset(corpus.json, { imageRoot: corpus.images });
    const report = await validateDataset(dataset, { imageCheck: 'header' });
    await dataset.close();
    assert.deepEqual(report.problems.filter((p) => p.code === 'image_unreadable').map((p) => p.row), [14]); // truncated JPEG has a valid header
    assert.deepEqual(report.problems.filter((p) => p.code === 'image_too_large').map((p) => p.row), [7]);
  });

  it('--max-length moves the too_long threshold', async () => {
    const dataset = await openDataset(corpus.json, { imageRoot: corpus.images });
    const report = await validateDataset(dataset, { maxLength: 100_000, imageCheck: 'none' });
    await dataset.close();
    assert.equal(report.counts.too_long, 0);
  });
});
