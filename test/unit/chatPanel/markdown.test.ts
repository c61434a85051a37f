import assert from 'node:assert/strict';
import { conversationMarkdown } from '../../../src/ui/chat/markdown';
import { sample } from './fixtures';

describe('chat: Copy as Markdown', () => {
  it('formats the whole conversation: images, prompts, labelled answers with their figures', () => {
    const c = sample();
    c.turns[2]!.answers[0]!.status = 'stopped';
    const md = conversationMarkdown(c, { displayPath: (p) => p.replace('/w/', 'images/') });
    assert.equal(md, [
      '## Ask LLaVA: red.png',
      '![red.png](<images/red.png>)',
      '**You:** What colour?',
      '**A: model 0** (onnx · tiny, 5 tokens, TTFT 13 ms, 300.0 tok/s):\n\nred',
      '**B: model 1** (onnx · tiny, 5 tokens, TTFT 13 ms, 300.0 tok/s):\n\ncrimson',
      '![blue.png](<images/blue.png>)',
      '**You:** And this one?',
      '**model 0** (onnx · tiny, 5 tokens, TTFT 13 ms, 300.0 tok/s):\n\n> error: unknown',
      '**You:** Both together?',
      '**model 0** (onnx · tiny, 5 tokens, TTFT 13 ms, 300.0 tok/s):\n\nred and blue\n\n*(stopped)*',
    ].join('\n\n') + '\n');
  });

  it('one turn on its own still shows the images it is about', () => {
    const md = conversationMarkdown(sample(), { turnId: 't3' });
    assert.match(md, /^## Ask LLaVA: red\.png\n\n!\[red\.png\]\(<\/w\/red\.png>\)\n\n!\[blue\.png\]\(<\/w\/blue\.png>\)\n\n\*\*You:\*\* Both together\?/);
    assert.doesNotMatch(md, /What colour/);
    assert.throws(() => conversationMarkdown(sample(), { turnId: 'nope' }), /no turn nope/);
  });

  it('pasted images are named by hash, URL images link to their URL, odd names are escaped', () => {
    const c = sample();
    c.images[0] = { ...c.images[0]!, origin: 'pasted', sha256: 'abcdef0123456789'.padEnd(64, '0') };
    c.images[1] = { ...c.images[1]!, origin: 'url', url: 'https://example.com/b.png', name: 'b [1].png' };
    const md = conversationMarkdown(c);
    assert.match(md, /\*\(pasted image, sha256 abcdef012345\)\*/);
    assert.match(md, /!\[b \\\[1\\\]\.png\]\(<https:\/\/example\.com\/b\.png>\)/);
  });

  it('an answer with an error shows its hint; an empty one says so', () => {
    const c = sample();
    c.turns[1]!.answers[0]!.error = { message: 'torch is not installed', hint: 'pip install torch' };
    c.turns[0]!.answers = [{ ...c.turns[0]!.answers[0]!, text: '  ' }];
    const md = conversationMarkdown(c);
    assert.match(md, /> error: torch is not installed \(pip install torch\)/);
    assert.match(md, /\*\(no answer\)\*/);
  });
});
