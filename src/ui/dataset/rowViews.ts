/**
 * DatasetRow (core) → RowView (protocol): text stays text, images become descriptors without their
 * bytes (thumbnails are fetched one by one), and messages are reworded for the panel.
 */
import type { DatasetRow, ImageRef, Problem } from '../../core/datasets/types';
import type { ImageView, IssueCode, RowView } from '../../protocol/dataset';

/** The core's messages name CLI flags; in the panel the same knobs are a picker and a setting. */
export function uiWording(message: string): string {
  return message
    .replace(/pass --model for (an exact count|exact counts|the model's own count)/g, 'choose a model folder for $1')
    .replace(/set --images to the folder the paths are relative to/g, 'choose the image folder the paths are relative to')
    .replace(/\(--max-length\)/g, '(llavaStudio.datasets.maxLength)');
}

export function imageView(ref: ImageRef): ImageView {
  if (ref.kind === 'file') return { kind: 'file', written: ref.written, path: ref.path };
  if (ref.kind === 'embedded') return { kind: 'embedded', written: ref.written, ext: ref.ext, bytes: ref.bytes.length };
  return { kind: 'url', url: ref.url };
}

export function toRowView(row: DatasetRow, problems: readonly Problem[], tokens: number | null): RowView {
  return {
    index: row.index,
    line: row.line,
    id: row.id,
    messages: row.messages.map((m) => ({ role: m.role, content: m.content.map((p) => ({ ...p })) })),
    images: row.images.map(imageView),
    problems: problems.map((p) => ({ code: p.code as IssueCode, message: uiWording(p.message) })),
    tokens,
  };
}

/** Lower-cased needle, or null for "no search". */
export function searchNeedle(query: string): string | null {
  const q = query.trim().toLowerCase();
  return q === '' ? null : q;
}

/** Full-text match over what a row shows: turn texts, unsupported parts, id and image paths (not role names: every row has them). */
export function rowMatches(row: DatasetRow, needle: string): boolean {
  const has = (text: string | null | undefined): boolean => !!text && text.toLowerCase().includes(needle);
  if (has(row.id)) return true;
  for (const message of row.messages) {
    for (const part of message.content) {
      if (part.type === 'text' ? has(part.text) : part.type === 'unsupported' ? has(part.kind) || has(part.detail) : false) return true;
    }
  }
  for (const ref of row.images) {
    if (ref.kind === 'file' ? has(ref.written) : ref.kind === 'url' ? has(ref.url) : has(ref.written)) return true;
  }
  return false;
}
