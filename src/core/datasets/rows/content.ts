/**
 * One turn's content → canonical parts. String content (LLaVA, ShareGPT, LLaMA-Factory) carries
 * `<image>` markers that refer to the row's image list in order; structured content (OpenAI, HF
 * processors) has typed parts, either carrying the image inline or pointing at the image list.
 */
import type { ContentPart, ImageRef } from '../types';
import { toImageRef } from './imageRef';

/** Per-row state shared by all turns: image list, how many list images were referred to, findings. */
export interface RowBuilder {
  readonly imageRoot: string;
  readonly imageToken: string;
  images: ImageRef[];
  /** Next row-level list image a marker or reference part refers to (inline images are appended after the list). */
  nextListImage: number;
  /** Findings, reported as unsupported_content and missing_field problems. */
  unsupported: string[];
  malformed: string[];
}

const UNSUPPORTED_TYPES = new Set(['video', 'video_url', 'audio', 'input_audio', 'audio_url', 'file', 'input_file']);

/** Splits text at image markers (and video/audio markers, kept as unsupported parts). */
export function splitMarkers(text: string, builder: RowBuilder, where: string | number): ContentPart[] {
  const token = builder.imageToken;
  // Most turns (all answers) have no marker: one scan for '<' decides, before three marker scans.
  const angle = token.startsWith('<') ? text.indexOf('<') : 0;
  if (angle < 0 || (text.indexOf(token, angle) < 0 && text.indexOf('<video>', angle) < 0 && text.indexOf('<audio>', angle) < 0)) {
    return [{ type: 'text', text }];
  }
  const parts: ContentPart[] = [];
  let rest = text;
  for (;;) {
    const at = [rest.indexOf(token), rest.indexOf('<video>'), rest.indexOf('<audio>')];
    let which = -1;
    for (let m = 0; m < 3; m++) if (at[m]! >= 0 && (which < 0 || at[m]! < at[which]!)) which = m;
    if (which < 0) break;
    const marker = which === 0 ? token : which === 1 ? '<video>' : '<audio>';
    const best = at[which]!;
    if (best > 0) parts.push({ type: 'text', text: rest.slice(0, best) });
    if (which === 0) parts.push({ type: 'image', image: builder.nextListImage++ });
    else {
      const kind = which === 1 ? 'video' : 'audio';
      parts.push({ type: 'unsupported', kind, detail: `${marker} marker` });
      builder.unsupported.push(`${typeof where === 'number' ? `turn ${where + 1}` : where} has a ${marker} marker (${kind} is not supported)`);
    }
    rest = rest.slice(best + marker.length);
  }
  if (rest !== '') parts.push({ type: 'text', text: rest });
  return parts;
}

function inlineImage(part: Record<string, unknown>): unknown {
  for (const key of ['image', 'path', 'url', 'image_url']) {
    const value = part[key];
    if (value === null || value === undefined) continue;
    if (key === 'image_url' && typeof value === 'object') return (value as Record<string, unknown>).url;
    return value;
  }
  return undefined;
}

function structuredPart(value: unknown, builder: RowBuilder, where: string): ContentPart | null {
  if (typeof value === 'string') return { type: 'text', text: value };
  if (!value || typeof value !== 'object') {
    builder.malformed.push(`${where} is ${value === null ? 'null' : `a ${typeof value}`}, expected {type, ...}`);
    return null;
  }
  const part = value as Record<string, unknown>;
  const type = typeof part.type === 'string' ? part.type : 'text' in part ? 'text' : 'image' in part ? 'image' : '';
  if (type === 'text') {
    if (typeof part.text === 'string') return { type: 'text', text: part.text };
    builder.malformed.push(`${where} is a text part without a string 'text'`);
    return null;
  }
  if (type === 'image' || type === 'image_url') {
    const inline = inlineImage(part);
    if (inline === undefined) return { type: 'image', image: builder.nextListImage++ };
    const ref = toImageRef(inline, builder.imageRoot);
    if (typeof ref === 'string') {
      builder.malformed.push(`${where} has an image that is ${ref}`);
      return null;
    }
    builder.images.push(ref);
    return { type: 'image', image: builder.images.length - 1 };
  }
  const kind = type || 'untyped';
  builder.unsupported.push(`${where} is a '${kind}' part (${UNSUPPORTED_TYPES.has(kind) ? 'not supported for image fine-tuning' : 'unknown part type'})`);
  return { type: 'unsupported', kind, detail: JSON.stringify(value).slice(0, 200) };
}

/** Content of turn `turn` (0-based); null when it has none usable. */
export function contentParts(content: unknown, builder: RowBuilder, turn: number): ContentPart[] | null {
  if (typeof content === 'string') return splitMarkers(content, builder, turn);
  if (Array.isArray(content)) {
    const parts: ContentPart[] = [];
    for (let k = 0; k < content.length; k++) {
      const part = structuredPart(content[k], builder, `turn ${turn + 1} part ${k + 1}`);
      if (part) parts.push(part);
    }
    return parts;
  }
  return null;
}
