import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { trimRowEnd } from '../../../src/core/datasets/index/byteIndexer';
import { JsonArrayIndexer } from '../../../src/core/datasets/index/jsonArrayIndexer';
import { JsonlIndexer } from '../../../src/core/datasets/index/jsonlIndexer';
import { scanFile } from '../../../src/core/datasets/index/scanFile';
import { openDataset } from '../../../src/core/datasets/openDataset';
import { DatasetError } from '../../../src/core/datasets/types';
import { makeTree } from '../helpers/tempTree';

/** Indexes `text` and returns each row's [line, parsed value], read back through the index. */
async function indexRows(text: string, chunkBytes: number, jsonl = false): Promise<[number, unknown][]> {
  const tree = makeTree({ 'data.json': text });
  try {
    const file = join(tree.root, 'data.json');
    const indexer = jsonl ? new JsonlIndexer(chunkBytes) : new JsonArrayIndexer(file, chunkBytes);
    await scanFile(file, indexer);
    const bytes = Buffer.from(text, 'utf8');
    const rows: [number, unknown][] = [];
    for (let row = 0; row < indexer.readyRows; row++) {
      const start = indexer.offsets.start(row);
      rows.push([indexer.offsets.line(row), JSON.parse(bytes.subarray(start, trimRowEnd(bytes, start, indexer.rowEnd(row))).toString('utf8'))]);
    }
    return rows;
  } finally {
    tree.remove();
  }
}

async function indexError(text: string, chunkBytes = 64): Promise<DatasetError> {
  try {
    await indexRows(text, chunkBytes);
  } catch (error) {
    assert.ok(error instanceof DatasetError, String(error));
    return error;
  }
  assert.fail('expected a DatasetError');
}

const TRICKY_ROWS: unknown[] = [
  { s: 'brackets ] } [ { inside', q: 'a \\" quote', n: [[1, [2, []]], {}] },
  { escaped: 'ends with backslash \\', more: '\\\\', quote: '"', both: '\\"\\\\"' },
  { unicode: 'naïve 東京 🙂 \u2028', esc: '\u00e9\n\t' },
  'a string row with ] and , inside',
  12.5,
  null,
  [1, 2, { deep: [[[]]] }],
  { empty: '' },
];

describe('datasets: JSON array index', function () {
  this.timeout(60_000);

  it('finds every row with strings holding ] } \\" and escaped backslashes, at every chunk and block boundary', async () => {
    const body = '[\n' + TRICKY_ROWS.map((row) => '  ' + JSON.stringify(row, null, 1).replace(/\n/g, '\n  ')).join(',\n') + '\n]\n';
    const expectedLines = [2];
    for (const row of TRICKY_ROWS.slice(0, -1)) expectedLines.push(expectedLines.at(-1)! + JSON.stringify(row, null, 1).split('\n').length);
    // Shifting the text by 0..127 bytes puts each byte on every position of a 64-byte block; 64- and
    // 192-byte chunks put it on every chunk boundary too.
    for (let shift = 0; shift < 128; shift++) {
      for (const chunk of [64, 192]) {
        const rows = await indexRows(' '.repeat(shift) + body, chunk);
        assert.deepEqual(rows.map((r) => r[1]), TRICKY_ROWS, `shift ${shift}, chunk ${chunk}`);
        assert.deepEqual(rows.map((r) => r[0]), expectedLines, `lines, shift ${shift}`);
      }
    }
  });

  it('agrees with JSON.parse on random arrays of random rows (property test)', async () => {
    const row = fc.oneof(
      fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()),
      fc.jsonValue(),
    );
    await fc.assert(fc.asyncProperty(fc.array(row, { maxLength: 12 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 70 }), async (rows, indent, shift) => {
      const text = ' '.repeat(shift) + JSON.stringify(rows, null, indent);
      const parsed = JSON.parse(text) as unknown[];
      const got = (await indexRows(text, 64)).map((r) => r[1]);
      assert.deepEqual(got, parsed);
    }), { numRuns: 150 });
  });

  const failures: [string, string, RegExp, number | null][] = [
    ['truncated inside a row', '[{"a": 1}, {"b": [1, 2', /truncated json: file ends at byte 22 inside row 1 \(starts at byte 11, line 1\)/, 22],
    ['truncated inside a string', '[{"a": "never closed', /inside row 0.*or a string/, 20],
    ['truncated before ]', '[{"a": 1},\n', /before the array's closing '\]' \(1 rows read\)/, 11],
    ['top-level object', '{"messages": []}', /top level is an object, not an array of rows.*--format messages-jsonl/, 0],
    ['top-level string', '  "just text"', /top level is not an array of rows: found '"' at byte 2/, 2],
    ['missing comma', '[{"a": 1}\n {"b": 2}]', /missing ',' before the row at byte 11 \(line 2\)/, 11],
    ['trailing comma', '[{"a": 1},\n]', /trailing ',' before the closing '\]' at byte 11 \(line 2\)/, 11],
    ['extra closer', '[{"a": 1}]]', /unexpected '\]' at byte 10|unbalanced '\]' at byte 10/, 10],
    ['data after the array', '[{"a": 1}] x', /unexpected 'x' at byte 11/, 11],
    ['empty file', '', /empty file/, 0],
  ];
  for (const [name, text, message, offset] of failures) {
    it(`fails with the byte offset: ${name}`, async () => {
      const error = await indexError(text);
      assert.match(error.message, message);
      assert.equal(error.byteOffset, offset);
    });
  }

  it('serves the first rows while the index is still being built, and cancels on abort', async () => {
    const rows = Array.from({ length: 4000 }, (_, i) => ({ id: `r${i}`, conversations: [{ from: 'human', value: 'hi' }, { from: 'gpt', value: 'x'.repeat(200) }] }));
    const tree = makeTree({ 'big.json': JSON.stringify(rows, null, 2) });
    try {
      const progress: number[] = [];
      const dataset = await openDataset(join(tree.root, 'big.json'), { chunkBytes: 4096, onProgress: (p) => progress.push(p.rowsFound) });
      const first = await dataset.rows(0, 10);
      assert.equal(first[0]!.id, 'r0');
      assert.equal(dataset.complete, false, 'first page came before the scan finished');
      assert.equal(await dataset.done, 4000);
      assert.ok(progress.length >= 2 && progress[0]! < 4000 && progress.at(-1) === 4000, String(progress));
      const last = await dataset.rows(3998, 5000);
      assert.deepEqual(last.map((r) => r.id), ['r3998', 'r3999']);
      await dataset.close();

      const controller = new AbortController();
      const aborted = await openDataset(join(tree.root, 'big.json'), { chunkBytes: 4096, signal: controller.signal });
      controller.abort();
      await assert.rejects(aborted.done, { name: 'AbortError' });
      assert.ok(aborted.rowCount < 4000);
      await aborted.close();
    } finally {
      tree.remove();
    }
  });
});

describe('datasets: JSON Lines index', () => {
  it('skips blank lines, keeps physical line numbers, and reports a bad line as invalid_json with its line', async () => {
    const text = '{"id": 1}\n\n   \n{"id": 2}\r\n{"id": 3, oops}\n{"id": 4}';
    for (const chunk of [64, 128]) {
      const tree = makeTree({ 'd.jsonl': text });
      try {
        const dataset = await openDataset(join(tree.root, 'd.jsonl'), { chunkBytes: chunk });
        assert.equal(await dataset.done, 4);
        const rows = await dataset.rows(0, 4);
        assert.deepEqual(rows.map((r) => [r.line, r.id]), [[1, '1'], [4, '2'], [5, null], [6, '4']]);
        assert.equal(rows[2]!.problems[0]!.code, 'invalid_json');
        assert.equal(rows[2]!.problems[0]!.line, 5);
        await dataset.close();
      } finally {
        tree.remove();
      }
    }
    // Every chunk boundary position, via shifting with leading blank lines.
    for (let shift = 0; shift < 70; shift++) {
      const rows = await indexRows(' '.repeat(shift) + '\n' + text.replace('{"id": 3, oops}', '{"id": 3}'), 64, true);
      assert.deepEqual(rows.map((r) => r[1]), [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }]);
    }
  });

  it('detects JSON Lines inside a .json file', async () => {
    const tree = makeTree({ 'd.json': '{"messages": [{"role": "user", "content": "hi"}]}\n{"messages": []}\n' });
    try {
      const dataset = await openDataset(join(tree.root, 'd.json'));
      assert.equal(dataset.format, 'messages-jsonl');
      assert.equal(await dataset.done, 2);
      await dataset.close();
    } finally {
      tree.remove();
    }
  });
});

describe('datasets: format override', () => {
  it('--format reads any file as the named container and keeps that name', async () => {
    const row = { conversations: [{ from: 'human', value: 'hi' }, { from: 'gpt', value: 'yo' }] };
    const tree = makeTree({ 'rows.txt': `${JSON.stringify(row)}\n${JSON.stringify(row)}\n`, 'auto.jsonl': `${JSON.stringify(row)}\n` });
    try {
      const forced = await openDataset(join(tree.root, 'rows.txt'), { format: 'llava-jsonl' });
      assert.equal(forced.format, 'llava-jsonl');
      assert.equal(await forced.done, 2);
      await forced.close();
      const auto = await openDataset(join(tree.root, 'auto.jsonl'));
      assert.equal(auto.format, 'llava-jsonl', 'schema label from the first row: conversations → llava');
      await auto.close();
    } finally {
      tree.remove();
    }
  });
});

describe('datasets: index memory', () => {
  it('holds 12 bytes per row plus one block', async () => {
    const { RowOffsets } = await import('../../../src/core/datasets/index/rowOffsets');
    const offsets = new RowOffsets();
    for (let i = 0; i < 100_000; i++) offsets.push(i * 1000, i + 1);
    assert.ok(offsets.bytes <= 100_000 * 12 + 16384 * 12, String(offsets.bytes));
    assert.equal(offsets.start(99_999), 99_999_000);
    assert.equal(offsets.line(54_321), 54_322);
  });
});
