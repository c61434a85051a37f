import assert from 'node:assert/strict';
import { inlineText, parseInline, parseMarkdown, type Block, type Inline } from '../../../webview/chat/markdownAst';

/** The inline spans of a paragraph block, or the first item of a list block. */
function spans(block: Block | undefined): Inline[] {
  if (block?.t === 'p' || block?.t === 'h') return block.c;
  if (block?.t === 'list') return block.items[0]!;
  throw new Error(`no spans in ${JSON.stringify(block)}`);
}

describe('chat answers: safe Markdown subset', () => {
  const inline: [string, unknown][] = [
    ['plain', [{ t: 'text', v: 'plain' }]],
    ['a **bold** word', [{ t: 'text', v: 'a ' }, { t: 'strong', c: [{ t: 'text', v: 'bold' }] }, { t: 'text', v: ' word' }]],
    ['*em* and _em_', [{ t: 'em', c: [{ t: 'text', v: 'em' }] }, { t: 'text', v: ' and ' }, { t: 'em', c: [{ t: 'text', v: 'em' }] }]],
    ['snake_case_name stays', [{ t: 'text', v: 'snake_case_name stays' }]],
    ['use `x < y` here', [{ t: 'text', v: 'use ' }, { t: 'code', v: 'x < y' }, { t: 'text', v: ' here' }]],
    ['``a ` b``', [{ t: 'code', v: 'a ` b' }]],
    ['unclosed **bold', [{ t: 'text', v: 'unclosed **bold' }]],
    ['2 * 3 * 4', [{ t: 'text', v: '2 * 3 * 4' }]],
    ['see [docs](https://x.org/a)', [{ t: 'text', v: 'see ' }, { t: 'link', c: [{ t: 'text', v: 'docs' }], href: 'https://x.org/a' }]],
    ['line one\nline two', [{ t: 'text', v: 'line one' }, { t: 'br' }, { t: 'text', v: 'line two' }]],
    ['\\*not em\\*', [{ t: 'text', v: '*not em*' }]],
    ['<img src=x onerror=alert(1)>', [{ t: 'text', v: '<img src=x onerror=alert(1)>' }]],
  ];
  for (const [source, expected] of inline) it(`inline: ${JSON.stringify(source)}`, () => assert.deepEqual(parseInline(source), expected));

  it('blocks: heading, paragraph with line breaks, lists, fence, quote, rule', () => {
    const blocks = parseMarkdown('# Title\nfirst\nsecond\n\n- a\n- b\n\n3. three\n4. four\n\n```py\nx = "<b>"\n```\n> quoted\n\n---');
    assert.deepEqual(blocks.map((b) => b.t), ['h', 'p', 'list', 'list', 'code', 'quote', 'hr']);
    assert.deepEqual(blocks[2], { t: 'list', ordered: false, start: 1, items: [[{ t: 'text', v: 'a' }], [{ t: 'text', v: 'b' }]] });
    assert.equal(blocks[3]?.t === 'list' && blocks[3].start, 3);
    assert.deepEqual(blocks[4], { t: 'code', lang: 'py', v: 'x = "<b>"' });
    assert.equal(inlineText(spans(blocks[1])), 'first\nsecond');
  });

  it('an unclosed fence (still streaming) runs to the end', () => {
    assert.deepEqual(parseMarkdown('text\n```\ncode so far'), [{ t: 'p', c: [{ t: 'text', v: 'text' }] }, { t: 'code', lang: '', v: 'code so far' }]);
  });

  it('a list item continues on indented lines', () => {
    assert.equal(inlineText(spans(parseMarkdown('- one\n  more\n- two')[0])), 'one\nmore');
  });

  it('never loses text: every character of a tricky answer is still there', () => {
    const answer = 'the image is red!!!! <script>x</script> [a](b c) **';
    assert.equal(inlineText(spans(parseMarkdown(answer)[0])), answer);
  });
});
