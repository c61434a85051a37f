import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { openDataset } from '../../../src/core/datasets/openDataset';
import type { Dataset, FieldMapping, OpenOptions, Problem, ProblemCode, ValidateOptions } from '../../../src/core/datasets/types';
import { PROBLEM_CODES } from '../../../src/core/datasets/types';
import { IdIndex } from '../../../src/core/datasets/validate/idIndex';
import { ImageChecker } from '../../../src/core/datasets/validate/imageChecker';
import { NO_PROBLEMS, quickChecker } from '../../../src/core/datasets/validate/quickCheck';
import { createRowValidator, validateDataset } from '../../../src/core/datasets/validate/validateDataset';
import { writeBadCorpus, type BadCorpus } from '../../fixtures/datasets/badCorpus';

const turn = (from: string, value: unknown): Record<string, unknown> => ({ from, value });
const qa = (q: unknown = '<image>\nWhat is shown?', a: unknown = 'A red square.') => [turn('human', q), turn('gpt', a)];
const msg = (role: string, content: unknown): Record<string, unknown> => ({ role, content });

/** Rows the fast path must take (clean) or must leave to the full path, and why. */
const TAKEN: [string, unknown][] = [
  ['LLaVA row with one image', { id: 'x', image: 'ok.png', conversations: qa() }],
  ['images list, marker last', { id: 7, images: ['ok.jpg'], conversations: qa('What?\n<image>') }],
  ['two images, two markers', { images: ['ok.png', 'ok.jpg'], conversations: qa('<image><image> Compare.') }],
  ['messages with role/content and a system turn first', { messages: [msg('system', 'Be brief.'), msg('user', 'Hi?'), msg('assistant', 'Hello.')] }],
  ['`conversation` key, text only', { conversation: qa('What is 2+2?', '4') }],
  ['an empty row-level system prompt', { system: '', conversations: qa('Q?', 'A.') }],
  ['a non-string system prompt (ignored by the row model)', { system: 3, conversations: qa('Q?', 'A.') }],
  ['empty images list and no markers', { images: [], conversations: qa('Q?', 'A.') }],
  ['null image', { image: null, conversations: qa('Q?', 'A.') }],
  ['image object with a path', { image: { path: 'ok.png' }, conversations: qa() }],
  ['non-ASCII and a lone surrogate', { conversations: qa('東京? 🙂', 'Oui \ud800 café.') }],
  ['leading non-breaking space, then text', { conversations: qa('\u00a0 Q?', '\u3000A.') }],
];
const LEFT: [string, unknown][] = [
  ['not an object', [1, 2]],
  ['null row', null],
  ['flat question/answer columns', { question: 'Q?', answer: 'A.' }],
  ['video key', { video: 'v.mp4', conversations: qa('Q?', 'A.') }],
  ['empty audios list (left: it is rare)', { audios: [], conversations: qa('Q?', 'A.') }],
  ['row-level system prompt', { system: 'Be brief.', conversations: qa('Q?', 'A.') }],
  ['system_prompt', { system_prompt: 'Be brief.', conversations: qa('Q?', 'A.') }],
  ['turns not a list', { conversations: 'hi' }],
  ['no turns', { conversations: [] }],
  ['a null turn', { conversations: [null, ...qa('Q?', 'A.')] }],
  ['a turn without a role', { conversations: [{ value: 'Q?' }, turn('gpt', 'A.')] }],
  ['structured content', { messages: [msg('user', [{ type: 'text', text: 'Q?' }]), msg('assistant', 'A.')] }],
  ['numeric content', { conversations: qa(5, 'A.') }],
  ['capitalised role', { conversations: [turn('Human', 'Q?'), turn('gpt', 'A.')] }],
  ['bot role', { conversations: [turn('human', 'Q?'), turn('bot', 'A.')] }],
  ['system turn second', { messages: [msg('user', 'Q?'), msg('system', 'S'), msg('assistant', 'A.')] }],
  ['assistant first', { conversations: [turn('gpt', 'A.'), turn('human', 'Q?')] }],
  ['two user turns', { conversations: [turn('human', 'Q?'), turn('human', 'Q2?'), turn('gpt', 'A.')] }],
  ['no assistant turn', { conversations: [turn('human', 'Q?')] }],
  ['only a system turn', { messages: [msg('system', 'S')] }],
  ['empty answer', { conversations: qa('Q?', '') }],
  ['blank answer (vertical tab, form feed, NBSP)', { conversations: qa('Q?', ' \v\f\u00a0\n') }],
  ['video marker', { conversations: qa('<video> What?', 'A.') }],
  ['audio marker in the answer', { conversations: qa('Q?', 'Hear <audio>') }],
  ['marker without an image', { conversations: qa() }],
  ['two markers, one image', { image: 'ok.png', conversations: qa('<image><image>') }],
  ['image URL', { image: 'https://x/a.png', conversations: qa() }],
  ['data: URL', { image: 'data:image/png;base64,iVBORw0KGgo=', conversations: qa() }],
  ['empty image path', { image: ' ', conversations: qa() }],
  ['image bytes', { image: { bytes: [0xff, 0xd8, 0xff] }, conversations: qa() }],
  ['numeric image', { image: 5, conversations: qa() }],
  ['too long for the estimate', { conversations: qa('Q?', 'word '.repeat(2000)) }],
];

describe('datasets: validation fast path', function () {
  this.timeout(60_000);
  let corpus: BadCorpus;
  before(async () => { corpus = await writeBadCorpus(); });
  after(() => rmSync(corpus.root, { recursive: true, force: true }));

  const quick = () => quickChecker({ images: new ImageChecker({ imageRoot: corpus.images, mode: 'none' }), imageTokens: 576, maxLength: 2048 });

  for (const [name, row] of TAKEN) {
    it(`takes: ${name}`, () => {
      assert.equal(quick()(row, 0, 1, corpus.images, new IdIndex(), { images: 0 }), NO_PROBLEMS);
    });
  }
  for (const [name, row] of LEFT) {
    it(`leaves to the full path: ${name}`, () => {
      const seen = new IdIndex();
      assert.equal(quick()(row, 0, 1, corpus.images, seen, { images: 0 }), null);
      assert.equal(seen.size, 0, 'nothing recorded for a row it leaves');
    });
  }

  it('leaves a duplicate id (string or number) to the full path, recording only the first', () => {
    const check = quick();
    const seen = new IdIndex();
    assert.equal(check({ id: 1, conversations: qa('Q?', 'A.') }, 0, 1, corpus.images, seen, { images: 0 }), NO_PROBLEMS);
    assert.equal(check({ id: '1', conversations: qa('Q?', 'A.') }, 1, 2, corpus.images, seen, { images: 0 }), null);
    assert.equal(seen.get('1'), 0);
  });

  // The oracle: every row through the full path (normalizeRecord + RowValidator.check), one by one.
  async function fullPath(dataset: Dataset, options: ValidateOptions) {
    const validator = await createRowValidator(dataset, options);
    await dataset.done;
    const seen = new Map<string, number>();
    const problems: Problem[] = [];
    let images = 0;
    let rowsWithProblems = 0;
    for (const row of await dataset.rows(0, dataset.rowCount)) {
      const found = await validator.check(row, seen);
      images += row.images.length;
      if (found.length > 0) rowsWithProblems++;
      problems.push(...found);
    }
    const counts = Object.fromEntries(PROBLEM_CODES.map((code) => [code, problems.filter((p) => p.code === code).length])) as Record<ProblemCode, number>;
    return { rows: dataset.rowCount, images, distinctImageFiles: validator.images.distinctFiles, problems, counts, rowsWithProblems };
  }

  async function compare(texts: string[], jsonl: boolean, open: OpenOptions, options: ValidateOptions): Promise<void> {
    const file = join(corpus.root, jsonl ? 'rows.jsonl' : 'rows.json');
    writeFileSync(file, jsonl ? texts.join('\n') + '\n' : `[\n  ${texts.join(',\n  ')}\n]\n`);
    const expected = await (async () => {
      const dataset = await openDataset(file, { imageRoot: corpus.images, ...open });
      try { return await fullPath(dataset, options); } finally { await dataset.close(); }
    })();
    const dataset = await openDataset(file, { imageRoot: corpus.images, ...open });
    const report = await validateDataset(dataset, options);
    await dataset.close();
    const { rows, images, distinctImageFiles, problems, counts, rowsWithProblems } = report;
    // libvips' reason for a failed decode can read "Unknown error" when two decodes fail at once.
    const reasonless = (list: Problem[]) => list.map((p) => ({ ...p, message: p.message.replace(/(cannot be decoded): .*/, '$1') }));
    assert.deepEqual({ rows, images, distinctImageFiles, problems: reasonless(problems), counts, rowsWithProblems }, { ...expected, problems: reasonless(expected.problems) });
  }

  const tableRows = (): string[] => [...TAKEN, ...LEFT].map(([, row]) => JSON.stringify(row))
    .concat(['{"id": "x", "conversations": [tru]}', JSON.stringify({ id: 'x', image: 'truncated.jpg', conversations: qa() })]);

  const settings: [string, boolean, OpenOptions, ValidateOptions][] = [
    ['JSON array, decoded images', false, {}, {}],
    ['JSON Lines, header checks, batches of 3', true, {}, { imageCheck: 'header', batchRows: 3 }],
    ['no image checks, small max length', false, {}, { imageCheck: 'none', maxLength: 600 }],
    ['a field mapping (fast path off)', false, { mapping: { imageToken: '<img>' } as FieldMapping }, {}],
  ];
  for (const [name, jsonl, open, options] of settings) {
    it(`reports what the full path reports for every table row: ${name}`, async () => {
      await compare(tableRows(), jsonl, open, options);
    });
  }

  it('reports what the full path reports for generated rows sharing images still being checked', async () => {
    const image = fc.constantFrom('ok.png', 'ok.jpg', 'ok.png', 'ok.jpg', 'truncated.jpg', 'nope.jpg', 'bomb.png', 'link.png', '../outside/secret.png', 'not-an-image.png');
    const text = fc.oneof(
      { weight: 20, arbitrary: fc.constantFrom('Q?', 'A.', 'Why?\n\nBecause.') },
      { weight: 1, arbitrary: fc.constantFrom('', ' ', '<video>', '<image>', 'x'.repeat(9000)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    );
    // Mostly rows the fast path takes (markers matching images, alternating turns), some broken.
    const clean = fc.tuple(fc.array(image, { maxLength: 2 }), fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 3 }), fc.boolean())
      .map(([images, pairs, list]) => ({
        ...(images.length === 1 && !list ? { image: images[0] } : images.length > 0 ? { images } : {}),
        conversations: pairs.flatMap(([q, a], k) => [turn('human', k === 0 ? '<image>'.repeat(images.length) + q : q), turn('gpt', a)]),
      }));
    const role = fc.constantFrom('human', 'gpt', 'user', 'assistant', 'system', 'Human', 'tool');
    const broken = fc.record({
      image: fc.oneof(image, fc.array(image, { maxLength: 3 })),
      conversations: fc.oneof(fc.array(fc.record({ from: role, value: fc.oneof(text, fc.constant(null)) }), { maxLength: 5 }), fc.constant('oops')),
      system: fc.constantFrom(undefined, '', 'S'),
    }, { requiredKeys: ['conversations'] });
    const id = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 1e9 }) }, { weight: 1, arbitrary: fc.constantFrom('a', 'b', 1, undefined) }, { weight: 1, arbitrary: fc.string({ maxLength: 3 }) });
    const row = fc.tuple(id, fc.oneof({ weight: 4, arbitrary: clean }, { weight: 1, arbitrary: broken }))
      .map(([id, rest]) => ({ id, ...rest }));
    await fc.assert(fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 40 }), fc.boolean(), async (rows, jsonl) => {
      await compare(rows.map((r) => JSON.stringify(r)), jsonl, {}, { batchRows: 4, maxLength: 2700 });
    }), { numRuns: 60 });
  });
});

describe('datasets: id index', () => {
  it('answers get/set exactly as a Map does', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('', 'a', '000100000000'))), { maxLength: 300 }), (ops) => {
      const index = new IdIndex();
      const map = new Map<string, number>();
      ops.forEach(([write, id], row) => {
        if (write) {
          index.set(id, row);
          map.set(id, row);
        }
        assert.equal(index.get(id), map.get(id));
      });
      assert.equal(index.size, map.size);
    }));
  });

  it('keeps 200k ids apart', () => {
    const index = new IdIndex();
    for (let i = 0; i < 200_000; i++) index.set(String(100000000 + i).padStart(12, '0'), i);
    for (let i = 0; i < 200_000; i += 997) assert.equal(index.get(String(100000000 + i).padStart(12, '0')), i);
    assert.equal(index.get('000099999999'), undefined);
    assert.equal(index.size, 200_000);
  });
});
