import assert from 'node:assert/strict';
import { normalizeRecord } from '../../../src/core/datasets/rows/normalize';
import type { ContentPart, FieldMapping } from '../../../src/core/datasets/types';

const ROOT = '/data/imgs';
const norm = (value: unknown, mapping?: FieldMapping) => normalizeRecord(value, 7, 3, { imageRoot: ROOT, mapping });
const text = (t: string): ContentPart => ({ type: 'text', text: t });
const image = (n: number): ContentPart => ({ type: 'image', image: n });

describe('datasets: row model', () => {
  const cases: { name: string; row: unknown; mapping?: FieldMapping; messages: [string, ContentPart[]][]; images: string[]; codes?: string[] }[] = [
    {
      name: 'LLaVA conversations with a marker',
      row: { id: 1, image: 'coco/1.jpg', conversations: [{ from: 'human', value: '<image>\nWhat?' }, { from: 'gpt', value: 'That.' }] },
      messages: [['user', [image(0), text('\nWhat?')]], ['assistant', [text('That.')]]],
      images: ['/data/imgs/coco/1.jpg'],
    },
    {
      name: 'OpenAI parts with image_url (URL is kept, data: URL becomes bytes)',
      row: { messages: [{ role: 'user', content: [{ type: 'text', text: 'Compare' }, { type: 'image_url', image_url: { url: 'https://x/a.png' } }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }, { role: 'assistant', content: 'Same.' }] },
      messages: [['user', [text('Compare'), image(0), image(1)]], ['assistant', [text('Same.')]]],
      images: ['url:https://x/a.png', 'embedded:png'],
    },
    {
      name: 'HF processor parts pointing into the images list, inline image paths appended',
      row: { images: ['a.jpg'], messages: [{ role: 'user', content: [{ type: 'image' }, { type: 'image', image: '/abs/b.jpg' }, { type: 'text', text: 'Both?' }] }, { role: 'assistant', content: [{ type: 'text', text: 'Yes.' }] }] },
      messages: [['user', [image(0), image(1), text('Both?')]], ['assistant', [text('Yes.')]]],
      images: ['/data/imgs/a.jpg', '/abs/b.jpg'],
    },
    {
      name: 'flat VQA columns: image goes before the question',
      row: { image: { bytes: new Uint8Array([0xff, 0xd8, 0xff, 0]), path: null }, question: 'Color?', answer: 'Red.' },
      messages: [['user', [image(0), text('Color?')]], ['assistant', [text('Red.')]]],
      images: ['embedded:jpg'],
    },
    {
      name: 'video part and a tool turn are reported, not dropped silently',
      row: { messages: [{ role: 'user', content: [{ type: 'video', video: 'v.mp4' }, { type: 'text', text: 'Hm?' }] }, { role: 'observation', content: 'tool out' }, { role: 'assistant', content: 'Ok.' }] },
      messages: [['user', [{ type: 'unsupported', kind: 'video', detail: '{"type":"video","video":"v.mp4"}' }, text('Hm?')]], ['assistant', [text('Ok.')]]],
      images: [],
      codes: ['unsupported_content', 'unsupported_content'],
    },
    {
      name: 'field mapping for other layouts',
      row: { dialog: [{ speaker: 'customer', says: 'Hi <img>' }, { speaker: 'agent', says: 'Hello' }], pics: 'p.png', sys: 'Be nice.' },
      mapping: { messages: 'dialog', role: 'speaker', content: 'says', images: 'pics', system: 'sys', roles: { user: ['customer'], assistant: ['agent'] }, imageToken: '<img>' },
      messages: [['system', [text('Be nice.')]], ['user', [text('Hi '), image(0)]], ['assistant', [text('Hello')]]],
      images: ['/data/imgs/p.png'],
    },
    {
      name: 'a turn without content and an image that is a number',
      row: { image: 5, conversations: [{ from: 'human' }, { from: 'gpt', value: 'x' }] },
      messages: [['assistant', [text('x')]]],
      images: [],
      codes: ['missing_field', 'missing_field'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const row = norm(c.row, c.mapping);
      assert.deepEqual(row.messages.map((m) => [m.role, m.content]), c.messages);
      assert.deepEqual(row.images.map((i) => (i.kind === 'file' ? i.path : i.kind === 'url' ? `url:${i.url}` : `embedded:${i.ext}`)), c.images);
      assert.deepEqual(row.problems.map((p) => p.code), c.codes ?? []);
      for (const p of row.problems) assert.deepEqual([p.row, p.line], [7, 3]);
    });
  }

  it('non-object rows are reported, never thrown', () => {
    for (const value of [null, 12, 'text', [1, 2]]) {
      const row = norm(value);
      assert.equal(row.problems[0]!.code, 'missing_field');
      assert.match(row.problems[0]!.message, /^row is /);
    }
  });
});
