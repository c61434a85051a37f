/**
 * A small Markdown subset for model answers, parsed to a tree that is then built with text nodes only
 * (markdownDom.ts): answers are untrusted, so no HTML in them is ever interpreted. Pure: unit-tested.
 * Blocks: paragraphs (single newlines kept as line breaks), # headings, ``` fences, bullet (- * +) and numbered lists,
 * > quotes, --- rules. Inline: `code`, **strong**, *em* / _em_, [text](url) (shown, never followed).
 */

export type Inline =
  | { t: 'text'; v: string }
  | { t: 'code'; v: string }
  | { t: 'strong'; c: Inline[] }
  | { t: 'em'; c: Inline[] }
  | { t: 'link'; c: Inline[]; href: string }
  | { t: 'br' };

export type Block =
  | { t: 'p'; c: Inline[] }
  | { t: 'h'; level: number; c: Inline[] }
  | { t: 'code'; lang: string; v: string }
  | { t: 'list'; ordered: boolean; start: number; items: Inline[][] }
  | { t: 'quote'; c: Block[] }
  | { t: 'hr' };

const FENCE = /^\s*(```|~~~)\s*([\w+.-]*)\s*$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const ORDERED = /^\s*(\d{1,9})[.)]\s+(.*)$/;
const RULE = /^\s*([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^\s*>\s?(.*)$/;

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') { i++; continue; }
    const fence = FENCE.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      // An unclosed fence (still streaming) runs to the end.
      while (i < lines.length && !(lines[i]!.trim().startsWith(fence[1]!) && lines[i]!.trim().replace(/[`~]/g, '') === '')) body.push(lines[i++]!);
      i++;
      blocks.push({ t: 'code', lang: fence[2] ?? '', v: body.join('\n') });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) { blocks.push({ t: 'h', level: heading[1]!.length, c: parseInline(heading[2]!) }); i++; continue; }
    if (RULE.test(line)) { blocks.push({ t: 'hr' }); i++; continue; }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i]!)) body.push(QUOTE.exec(lines[i++]!)![1]!);
      blocks.push({ t: 'quote', c: parseMarkdown(body.join('\n')) });
      continue;
    }
    const bullet = BULLET.exec(line);
    const ordered = ORDERED.exec(line);
    if (bullet || ordered) {
      const pattern = bullet ? BULLET : ORDERED;
      const items: Inline[][] = [];
      while (i < lines.length && pattern.test(lines[i]!)) {
        const m = pattern.exec(lines[i++]!)!;
        let text = bullet ? m[1]! : m[2]!;
        // Lazy continuation lines (indented, not a new item) belong to the item.
        while (i < lines.length && /^\s{2,}\S/.test(lines[i]!) && !BULLET.test(lines[i]!) && !ORDERED.test(lines[i]!)) text += `\n${lines[i++]!.trim()}`;
        items.push(parseInline(text));
      }
      blocks.push({ t: 'list', ordered: !bullet, start: ordered ? Number(ordered[1]) : 1, items });
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '' && !FENCE.test(lines[i]!) && !HEADING.test(lines[i]!) && !QUOTE.test(lines[i]!) && !BULLET.test(lines[i]!) && !ORDERED.test(lines[i]!)) {
      para.push(lines[i++]!);
    }
    if (para.length === 0) { blocks.push({ t: 'p', c: parseInline(lines[i++]!) }); continue; }
    blocks.push({ t: 'p', c: parseInline(para.join('\n')) });
  }
  return blocks;
}

/** Inline spans; anything that does not close is literal text. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let buffer = '';
  const flush = () => {
    if (buffer) out.push({ t: 'text', v: buffer });
    buffer = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') { flush(); out.push({ t: 'br' }); i++; continue; }
    if (c === '\\' && i + 1 < text.length && /[\\`*_[\]()#+\-.!>]/.test(text[i + 1]!)) { buffer += text[i + 1]; i += 2; continue; }
    if (c === '`') {
      const ticks = /^`+/.exec(text.slice(i))![0];
      const end = text.indexOf(ticks, i + ticks.length);
      if (end > 0) {
        const inner = text.slice(i + ticks.length, end);
        flush();
        out.push({ t: 'code', v: inner.length > 2 && inner.startsWith(' ') && inner.endsWith(' ') ? inner.slice(1, -1) : inner });
        i = end + ticks.length;
        continue;
      }
      buffer += ticks; i += ticks.length; continue;
    }
    if ((c === '*' || c === '_') && text[i + 1] === c) {
      const end = text.indexOf(c + c, i + 2);
      if (end > i + 2) { flush(); out.push({ t: 'strong', c: parseInline(text.slice(i + 2, end)) }); i = end + 2; continue; }
    }
    if ((c === '*' || c === '_') && text[i + 1] !== c && text[i + 1] !== ' ' && text[i + 1] !== undefined) {
      // `_` inside a word (snake_case) is not emphasis.
      const wordBefore = c === '_' && i > 0 && /\w/.test(text[i - 1]!);
      const end = wordBefore ? -1 : findClosing(text, c, i + 1);
      if (end > i + 1) { flush(); out.push({ t: 'em', c: parseInline(text.slice(i + 1, end)) }); i = end + 1; continue; }
    }
    if (c === '[') {
      const close = text.indexOf('](', i + 1);
      const end = close > i ? text.indexOf(')', close + 2) : -1;
      if (close > i && end > close && !text.slice(i + 1, close).includes('\n') && !/\s/.test(text.slice(close + 2, end))) {
        flush();
        out.push({ t: 'link', c: parseInline(text.slice(i + 1, close)), href: text.slice(close + 2, end) });
        i = end + 1;
        continue;
      }
    }
    buffer += c;
    i++;
  }
  flush();
  return out;
}

function findClosing(text: string, marker: string, from: number): number {
  for (let j = from; j < text.length; j++) {
    if (text[j] === '\n' && text[j + 1] === '\n') return -1;
    if (text[j] === marker && text[j - 1] !== ' ' && text[j + 1] !== marker && !(marker === '_' && /\w/.test(text[j + 1] ?? ''))) return j;
  }
  return -1;
}

/** Plain text of inline spans (tests, aria labels). */
export function inlineText(spans: Inline[]): string {
  return spans.map((s) => (s.t === 'text' || s.t === 'code' ? s.v : s.t === 'br' ? '\n' : inlineText(s.c))).join('');
}
