/**
 * One sample as a card: thumbnails, the conversation as chat turns with `<image>` markers where the
 * images go, and the row's problems. Every string from the dataset becomes a text node (h() never
 * parses HTML), so a row holding `<script>` or `<img onerror=…>` shows those characters and runs nothing.
 */
import type { ImageView, PartView, RowView, ThumbnailResult } from '../../src/protocol/dataset';
import { h } from '../common/dom';
import { ISSUE_LABELS, n } from './format';

export interface CardActions {
  openImage(row: number, image: number): void;
  openLine(row: number): void;
  /** A cached thumbnail, or undefined (then `wantThumbnail` asks the host). */
  thumbnail(row: number, image: number): ThumbnailResult | undefined;
  wantThumbnail(row: number, image: number): void;
  maxLength(): number;
  hasLines(): boolean;
  /** The search query, lower-cased ('' for none): matches are marked. */
  needle(): string;
}

const ROLE_LABEL: Record<string, string> = { system: 'System', user: 'User', assistant: 'Assistant' };

function icon(name: string): HTMLElement {
  return h('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}

function imageName(ref: ImageView | undefined, k: number): string {
  if (!ref) return `image ${k + 1} (no such image in the row)`;
  if (ref.kind === 'file') return ref.written;
  if (ref.kind === 'url') return ref.url;
  return ref.written ?? `embedded ${ref.ext.toUpperCase()}, ${n(ref.bytes)} bytes`;
}

/** Fills a thumbnail tile with its image, or with why there is none. */
export function fillThumb(tile: HTMLElement, result: ThumbnailResult | undefined, ref: ImageView): void {
  tile.replaceChildren();
  tile.classList.remove('failed', 'loading');
  if (!result) {
    tile.classList.add('loading');
    tile.append(icon('loading'));
    return;
  }
  if ('dataUrl' in result) {
    const small = Math.max(result.sourceWidth, result.sourceHeight) < 96;
    const img = h('img', { src: result.dataUrl, alt: '', class: small ? 'pixelated' : undefined, width: result.width, height: result.height, draggable: 'false' });
    tile.append(img);
    tile.title = `${imageName(ref, 0)} — ${result.sourceWidth}×${result.sourceHeight}; click to open`;
    return;
  }
  tile.classList.add('failed');
  const label = result.code === 'image_missing' ? 'missing' : result.code === 'url' ? 'remote' : result.code === 'image_too_large' ? 'too large' : result.code === 'skipped' ? '' : 'unreadable';
  tile.append(icon(result.code === 'url' ? 'globe' : 'warning'), h('span', { class: 'thumb-label' }, label));
  tile.title = `${imageName(ref, 0)} — ${result.error}`;
}

function thumbTile(row: RowView, k: number, actions: CardActions, small: boolean): HTMLElement {
  const ref = row.images[k]!;
  const tile = h('button', { class: small ? 'thumb small' : 'thumb', type: 'button', 'data-image': k, 'aria-label': `Open image ${k + 1}: ${imageName(ref, k)}` });
  const cached = actions.thumbnail(row.index, k);
  fillThumb(tile, cached, ref);
  if (!cached || ('code' in cached && cached.code === 'skipped')) actions.wantThumbnail(row.index, k);
  tile.addEventListener('click', () => actions.openImage(row.index, k));
  return tile;
}

/** Text with the search matches wrapped in <mark> (built from text nodes, never parsed as HTML). */
export function highlighted(text: string, needle: string): Node {
  const lower = text.toLowerCase();
  // Some characters change length when lower-cased; then positions would not line up: no marks.
  if (needle === '' || lower.length !== text.length || !lower.includes(needle)) return document.createTextNode(text);
  const out = document.createDocumentFragment();
  let from = 0;
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + needle.length)) {
    if (at > from) out.append(text.slice(from, at));
    out.append(h('mark', {}, text.slice(at, at + needle.length)));
    from = at + needle.length;
  }
  if (from < text.length) out.append(text.slice(from));
  return out;
}

function part(p: PartView, row: RowView, actions: CardActions): Node {
  if (p.type === 'text') return highlighted(p.text, actions.needle());
  if (p.type === 'image') {
    const ref = row.images[p.image];
    const marker = h('button', { class: ref ? 'image-marker' : 'image-marker dangling', type: 'button', title: imageName(ref, p.image) }, icon('file-media'), `<image> ${p.image + 1}`);
    if (ref) marker.addEventListener('click', () => actions.openImage(row.index, p.image));
    else marker.disabled = true;
    return marker;
  }
  return h('span', { class: 'unsupported', title: p.detail }, `[${p.kind}: ${p.detail}]`);
}

function tokensLabel(row: RowView, actions: CardActions): HTMLElement | null {
  if (row.tokens === null) return null;
  const over = row.tokens > actions.maxLength();
  return h('span', { class: over ? 'row-tokens over' : 'row-tokens', title: over ? `over the max length ${n(actions.maxLength())}` : 'sequence length with image tokens' }, `${n(row.tokens)} tokens`);
}

export function renderCard(row: RowView, actions: CardActions): HTMLElement {
  const codes = [...new Set(row.problems.map((p) => p.code))];
  const head = h('header', { class: 'row-head' },
    h('span', { class: 'row-index' }, `row ${n(row.index)}`),
    row.id !== null ? h('span', { class: 'row-id', title: `id: ${row.id}` }, highlighted(row.id, actions.needle())) : null,
    row.line !== null && actions.hasLines()
      ? h('button', { class: 'line-link', type: 'button', title: `Open line ${n(row.line)} in the editor` }, icon('go-to-file'), `line ${n(row.line)}`)
      : null,
    tokensLabel(row, actions),
    h('span', { class: 'spacer-flex' }),
    ...codes.map((code) => h('span', { class: `issue-chip code-${code}`, title: code }, icon('warning'), ISSUE_LABELS[code] ?? code)),
  );
  head.querySelector('.line-link')?.addEventListener('click', () => actions.openLine(row.index));

  const thumbs = h('div', { class: 'thumbs' });
  if (row.images.length > 0) {
    thumbs.append(thumbTile(row, 0, actions, false));
    if (row.images.length > 1) {
      const more = h('div', { class: 'thumb-strip' });
      for (let k = 1; k < Math.min(row.images.length, 4); k++) more.append(thumbTile(row, k, actions, true));
      if (row.images.length > 4) more.append(h('span', { class: 'thumb-more' }, `+${row.images.length - 4}`));
      thumbs.append(more);
    }
  } else {
    thumbs.append(h('div', { class: 'no-image' }, icon('comment'), h('span', {}, 'text only')));
  }

  const chat = h('div', { class: 'chat', tabindex: '0', 'aria-label': `Conversation of row ${row.index}` });
  if (row.problems.length > 0) {
    chat.append(h('ul', { class: 'problems' }, ...row.problems.map((p) => h('li', {}, h('span', { class: 'problem-code' }, p.code), ' ', p.message))));
  }
  for (const message of row.messages) {
    const text = h('div', { class: 'turn-text' });
    for (const p of message.content) text.append(part(p, row, actions));
    if (message.content.length === 0) text.append(h('span', { class: 'empty-turn' }, '(empty)'));
    chat.append(h('div', { class: `turn role-${message.role}` }, h('div', { class: 'role' }, ROLE_LABEL[message.role] ?? message.role), text));
  }
  if (row.messages.length === 0 && row.problems.length === 0) chat.append(h('div', { class: 'empty-turn' }, '(no turns)'));

  const label = `Row ${row.index}${row.problems.length ? `, ${row.problems.length} problem${row.problems.length > 1 ? 's' : ''}` : ''}`;
  return h('article', { class: row.problems.length ? 'row has-problems' : 'row', role: 'listitem', 'aria-label': label, 'data-row': row.index },
    head, h('div', { class: 'row-body' }, thumbs, chat));
}

/** Scrolls a card's conversation to its first search match (call once the card is in the DOM). */
export function revealFirstMatch(card: HTMLElement): void {
  const mark = card.querySelector<HTMLElement>('.chat mark');
  const chat = card.querySelector<HTMLElement>('.chat');
  if (!mark || !chat) return;
  const y = mark.getBoundingClientRect().top - chat.getBoundingClientRect().top;
  if (y > chat.clientHeight - 24) chat.scrollTop += y - 24;
}

/** A row whose page is on its way. */
export function renderPlaceholder(position: number): HTMLElement {
  return h('article', { class: 'row placeholder', role: 'listitem', 'aria-busy': 'true', 'data-position': position },
    h('header', { class: 'row-head' }, h('span', { class: 'row-index' }, 'loading…')));
}
