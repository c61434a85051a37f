import assert from 'node:assert/strict';
import type { DatasetRow } from '../../../src/core/datasets/types';
import { rowMatches, searchNeedle, toRowView, uiWording } from '../../../src/ui/dataset/rowViews';

const row: DatasetRow = {
  index: 7, line: 120, id: 'coco-000123',
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'You are helpful.' }] },
    { role: 'user', content: [{ type: 'image', image: 0 }, { type: 'text', text: '\nWhat is the Café called? <script>x</script>' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'It is "Le Petit Déjeuner".' }, { type: 'unsupported', kind: 'video', detail: 'clips/a.mp4' }] },
  ],
  images: [
    { kind: 'file', written: 'coco/train2017/000000000123.jpg', path: '/data/coco/train2017/000000000123.jpg' },
    { kind: 'embedded', bytes: new Uint8Array(1234), written: 'cat.png', ext: 'png' },
  ],
  problems: [],
};

describe('dataset preview: search matching and row views', () => {
  it('empty and blank queries mean no search', () => {
    assert.deepEqual([searchNeedle(''), searchNeedle('   '), searchNeedle(' Café ')], [null, null, 'café']);
  });

  const cases: [string, boolean][] = [
    ['café', true], // non-ASCII, case-insensitive
    ['CAFÉ CALLED', true],
    ['petit déjeuner', true],
    ['<script>', true], // hostile text is just text to search
    ['coco-000123', true], // id
    ['train2017/000000000123', true], // file image path as written
    ['cat.png', true], // embedded image's written name
    ['clips/a.mp4', true], // unsupported part detail
    ['video', true],
    ['you are helpful', true],
    ['user', false], // role names are on every row: not searched
    ['assistant', false],
    ['/data/coco', false], // the resolved path is not shown, only what was written
    ['zebra', false],
  ];
  for (const [query, expected] of cases) {
    it(`"${query}" ${expected ? 'matches' : 'does not match'}`, () => assert.equal(rowMatches(row, searchNeedle(query)!), expected));
  }

  it('row views carry image descriptors, never image bytes', () => {
    const view = toRowView(row, [{ row: 7, line: 120, code: 'image_missing', message: "image 1: 'x' not found; set --images to the folder the paths are relative to" }], 812);
    assert.deepEqual(view.images[1], { kind: 'embedded', written: 'cat.png', ext: 'png', bytes: 1234 });
    assert.ok(!JSON.stringify(view).includes('"0":0'), 'no byte arrays');
    assert.equal(view.tokens, 812);
    assert.equal(view.problems[0]!.message, "image 1: 'x' not found; choose the image folder the paths are relative to");
  });

  it('reworded CLI hints name the panel\'s knobs', () => {
    assert.equal(uiWording('≈ 9 tokens (estimate …; pass --model for an exact count) > max length 8 (--max-length); drop it'),
      '≈ 9 tokens (estimate …; choose a model folder for an exact count) > max length 8 (llavaStudio.datasets.maxLength); drop it');
    assert.equal(uiWording('estimate: text characters ÷ 3.6 + 576 tokens per image (pass --model for exact counts)'),
      'estimate: text characters ÷ 3.6 + 576 tokens per image (choose a model folder for exact counts)');
  });
});
