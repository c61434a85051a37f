import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendToDataset, sampleRecord } from '../../../src/ui/chat/datasetWriter';
import { makeTree } from '../helpers/tempTree';

const PNG_A = Buffer.from('89504e470d0a1a0a' + 'aa'.repeat(40), 'hex');
const PNG_B = Buffer.from('89504e470d0a1a0a' + 'bb'.repeat(40), 'hex');
const OLD = '{"messages":[{"role":"user","content":"old"}],"images":[]}';

describe('add to dataset: appending a chat turn to a messages JSONL', () => {
  let tree: ReturnType<typeof makeTree>;
  afterEach(() => tree?.remove());

  it('writes the canonical record: image parts first, then the text; the answer as one text part', () => {
    assert.deepEqual(sampleRecord({ prompt: 'What colour?', answer: 'Red.', images: [] }, ['images/a.png']), {
      messages: [
        { role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'What colour?' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Red.' }] },
      ],
      images: ['images/a.png'],
    });
  });

  const cases: { name: string; before: string | null; lines: number; line: number }[] = [
    { name: 'creates a missing file', before: null, lines: 1, line: 1 },
    { name: 'appends to an empty file', before: '', lines: 1, line: 1 },
    { name: 'appends after a final newline', before: `${OLD}\n`, lines: 2, line: 2 },
    { name: 'repairs a missing final newline first', before: OLD, lines: 2, line: 2 },
    { name: 'keeps CRLF lines as they are', before: `${OLD}\r\n${OLD}\r\n`, lines: 3, line: 3 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      tree = makeTree({ 'data/images/red.png': PNG_A, ...(c.before === null ? {} : { 'data/train.jsonl': c.before }) });
      const file = join(tree.root, 'data/train.jsonl');
      const result = await appendToDataset(file, { prompt: 'What colour?', answer: 'Red.\nSecond line "quoted"', images: [join(tree.root, 'data/images/red.png')] });
      const text = readFileSync(file, 'utf8');
      assert.ok(text.endsWith('\n'));
      assert.ok(text.startsWith(c.before ?? ''), 'what was there is untouched');
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      assert.equal(lines.length, c.lines);
      assert.equal(result.line, c.line);
      const record = JSON.parse(lines.at(-1)!);
      assert.deepEqual(record.images, ['images/red.png'], 'an image inside the dataset folder is referenced, not copied');
      assert.equal(record.messages[1].content[0].text, 'Red.\nSecond line "quoted"');
      assert.deepEqual(result.copied, []);
    });
  }

  it('copies an outside image into images/ under a content-hash name, and reuses it the next time', async () => {
    tree = makeTree({ 'data/train.jsonl': '', 'elsewhere/red.png': PNG_A });
    const file = join(tree.root, 'data/train.jsonl');
    const image = join(tree.root, 'elsewhere/red.png');
    const first = await appendToDataset(file, { prompt: 'p', answer: 'a', images: [image] });
    assert.match(first.images[0]!, /^images\/red-[0-9a-f]{12}\.png$/);
    assert.equal(first.copied.length, 1);
    assert.deepEqual(readFileSync(join(tree.root, 'data', first.images[0]!)), PNG_A);
    const second = await appendToDataset(file, { prompt: 'p2', answer: 'a2', images: [image] });
    assert.deepEqual(second.images, first.images);
    assert.deepEqual(second.copied, []);
    assert.equal(readdirSync(join(tree.root, 'data/images')).length, 1);
  });

  it('never overwrites a different file that already has the name: the copy gets -1', async () => {
    tree = makeTree({ 'data/train.jsonl': '', 'elsewhere/red.png': PNG_A });
    const file = join(tree.root, 'data/train.jsonl');
    const image = join(tree.root, 'elsewhere/red.png');
    const { images } = await appendToDataset(file, { prompt: 'p', answer: 'a', images: [image] });
    const taken = join(tree.root, 'data', images[0]!);
    writeFileSync(taken, PNG_B); // someone put other bytes there
    const before = statSync(taken).mtimeMs;
    const again = await appendToDataset(file, { prompt: 'p', answer: 'a', images: [image] });
    assert.match(again.images[0]!, /^images\/red-[0-9a-f]{12}-1\.png$/);
    assert.deepEqual(readFileSync(taken), PNG_B);
    assert.equal(statSync(taken).mtimeMs, before);
  });

  it('keeps several images in order', async () => {
    tree = makeTree({ 'data/a.png': PNG_A, 'other/b.png': PNG_B });
    const file = join(tree.root, 'data/set.jsonl');
    const { images } = await appendToDataset(file, { prompt: 'compare', answer: 'x', images: [join(tree.root, 'data/a.png'), join(tree.root, 'other/b.png')] });
    assert.equal(images[0], 'a.png');
    assert.match(images[1]!, /^images\/b-/);
    const record = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(record.messages[0].content.map((p: { type: string }) => p.type), ['image', 'image', 'text']);
  });

  const refused: [string, string, RegExp][] = [
    ['a file of another format', '{"conversations":[]}\n', /has no "messages" array/],
    ['a file that is not JSON lines', 'id,image,text\n1,a.png,hi\n', /line 1 is not JSON/],
  ];
  for (const [name, contents, error] of refused) {
    it(`refuses to append to ${name}, leaving it unchanged`, async () => {
      tree = makeTree({ 'data/x.jsonl': contents, 'data/a.png': PNG_A });
      const file = join(tree.root, 'data/x.jsonl');
      await assert.rejects(appendToDataset(file, { prompt: 'p', answer: 'a', images: [join(tree.root, 'data/a.png')] }), error);
      assert.equal(readFileSync(file, 'utf8'), contents);
    });
  }

  it('wants a .jsonl file', async () => {
    tree = makeTree({ 'data/a.png': PNG_A });
    await assert.rejects(appendToDataset(join(tree.root, 'data/train.json'), { prompt: 'p', answer: 'a', images: [] }), /must end in \.jsonl/);
  });
});
