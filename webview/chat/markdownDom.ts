import { h } from '../common/dom';
import { parseMarkdown, type Block, type Inline } from './markdownAst';

/** Builds the parsed answer with elements and text nodes only: model output never becomes HTML. */
export function renderMarkdown(source: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const block of parseMarkdown(source)) fragment.append(blockNode(block));
  return fragment;
}

function blockNode(block: Block): Node {
  switch (block.t) {
    case 'p': return h('p', {}, ...inlineNodes(block.c));
    case 'h': return h('p', { class: `md-h md-h${block.level}`, role: 'heading', 'aria-level': block.level }, ...inlineNodes(block.c));
    case 'code': return h('pre', { class: 'md-pre', 'data-lang': block.lang || undefined }, h('code', {}, block.v));
    case 'list': {
      const items = block.items.map((item) => h('li', {}, ...inlineNodes(item)));
      return block.ordered ? h('ol', { start: block.start !== 1 ? block.start : undefined }, ...items) : h('ul', {}, ...items);
    }
    case 'quote': {
      const quote = h('blockquote', {});
      for (const child of block.c) quote.append(blockNode(child));
      return quote;
    }
    case 'hr': return h('hr', {});
  }
}

function inlineNodes(spans: Inline[]): (Node | string)[] {
  return spans.map((span): Node | string => {
    switch (span.t) {
      case 'text': return span.v;
      case 'br': return h('br', {});
      case 'code': return h('code', { class: 'md-code' }, span.v);
      case 'strong': return h('strong', {}, ...inlineNodes(span.c));
      case 'em': return h('em', {}, ...inlineNodes(span.c));
      // Shown, not followed: a link in a model's answer is not something to click blindly.
      case 'link': return h('span', { class: 'md-link', title: span.href }, ...inlineNodes(span.c), h('span', { class: 'md-href' }, ` (${span.href})`));
    }
  });
}
