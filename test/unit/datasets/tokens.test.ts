import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetRow } from '../../../src/core/datasets/types';
import { imageTokensFor } from '../../../src/core/datasets/validate/imageTokens';
import { checkTokenizerFolder, estimateCounter, tokenizerCounter } from '../../../src/core/datasets/validate/tokenCounter';
import { makeTree } from '../helpers/tempTree';

const row = (text: string, images: number): DatasetRow => ({
  index: 0, line: 1, id: null, images: [], problems: [],
  messages: [
    { role: 'user', content: [...Array.from({ length: images }, (_, k) => ({ type: 'image' as const, image: k })), { type: 'text', text }] },
    { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
  ],
});

describe('datasets: token counts', function () {
  this.timeout(60_000);

  const configs: [string, Record<string, string>, number, RegExp][] = [
    ['LLaVA-1.5 HF (576 = 24² + 1 − 1)', {
      'config.json': JSON.stringify({ vision_feature_select_strategy: 'default', vision_config: { image_size: 336, patch_size: 14 } }),
      'processor_config.json': JSON.stringify({ patch_size: 14, num_additional_image_tokens: 1, vision_feature_select_strategy: 'default' }),
    }, 576, /\(336\/14\)·\(336\/14\) \+ 1 additional − 1/],
    ['older LLaVA config without processor_config', { 'config.json': JSON.stringify({ vision_config: { image_size: 336, patch_size: 14 } }) }, 576, /patches/],
    ['PaliGemma-style image_seq_length', { 'config.json': JSON.stringify({ image_seq_length: 256 }) }, 256, /image_seq_length/],
    ['unknown model', { 'config.json': JSON.stringify({ model_type: 'mystery' }) }, 576, /assumed/],
  ];
  for (const [name, files, tokens, basis] of configs) {
    it(`image tokens: ${name}`, () => {
      const tree = makeTree(files);
      try {
        const info = imageTokensFor(tree.root);
        assert.equal(info.tokens, tokens);
        assert.match(info.basis, basis);
      } finally {
        tree.remove();
      }
    });
  }

  it('without a model: the estimate says it is one, with its basis', () => {
    assert.equal(imageTokensFor(undefined).tokens, 576);
    const counter = estimateCounter(576);
    assert.equal(counter.count(row('x'.repeat(36), 1)), Math.ceil(38 / 3.6) + 576);
    assert.match(counter.explain(row('x'.repeat(36), 1), 587), /estimate: 38 text chars ÷ 3\.6 \+ 1 image × 576/);
  });

  it('names the missing tokenizer files', () => {
    const tree = makeTree({ 'tokenizer.json': '{}' });
    try {
      assert.throws(() => checkTokenizerFolder(tree.root), /lacks tokenizer_config\.json/);
    } finally {
      tree.remove();
    }
  });

  it('with the tiny LLaVA fixture: the chat template and image expansion', async function () {
    const dir = join(__dirname, '../../fixtures/tiny-llava/model');
    if (!existsSync(join(dir, 'tokenizer.json')) || !existsSync(join(dir, 'tokenizer_config.json'))) this.skip(); // fixture not generated here
    const perImage = imageTokensFor(dir).tokens;
    const counter = await tokenizerCounter(dir, perImage);
    const none = counter.count(row('what colour is this?', 0));
    const one = counter.count(row('what colour is this?', 1));
    const two = counter.count(row('what colour is this?', 2));
    assert.ok(none > 10, String(none));
    assert.equal(one - none, perImage, 'one image adds its image tokens');
    assert.equal(two - one, perImage);
    assert.ok(counter.count(row('word '.repeat(50), 0)) > none);
    assert.equal(counter.modelMaxLength, 2048);
    assert.match(counter.basis, /tokenizer \+ chat template of .*tiny-llava/);
  });
});
