/** Turns the many ways datasets write an image (path, URL, data: URL, `{bytes, path}` struct) into an ImageRef. */
import { isAbsolute, resolve, sep } from 'node:path';
import type { ImageRef } from '../types';

/** imageRoot + relative path; plain concatenation when nothing needs normalizing (the hot path). */
function join(root: string, relative: string): string {
  const plain = !root.endsWith(sep) && !/(^|[\\/])\.\.?([\\/]|$)|\\|\/\//.test(relative);
  return plain ? `${root}${sep}${relative}` : resolve(root, relative);
}

/** File extension from the first bytes ('bin' when unknown), for naming extracted images. */
export function sniffImageExt(bytes: Uint8Array): string {
  const b = (i: number): number => bytes[i] ?? -1;
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'jpg';
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47) return 'png';
  if (b(0) === 0x47 && b(1) === 0x49 && b(2) === 0x46) return 'gif';
  if (b(0) === 0x52 && b(1) === 0x49 && b(2) === 0x46 && b(3) === 0x46 && b(8) === 0x57 && b(9) === 0x45) return 'webp';
  if (b(0) === 0x42 && b(1) === 0x4d) return 'bmp';
  if ((b(0) === 0x49 && b(1) === 0x49 && b(2) === 0x2a) || (b(0) === 0x4d && b(1) === 0x4d && b(3) === 0x2a)) return 'tif';
  if (b(4) === 0x66 && b(5) === 0x74 && b(6) === 0x79 && b(7) === 0x70) return 'avif';
  return 'bin';
}

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?(;[^,]*)?,/i;

function fromDataUrl(url: string): ImageRef | null {
  const match = DATA_URL.exec(url);
  if (!match) return null;
  const payload = url.slice(match[0].length);
  const bytes = /;base64/i.test(match[2] ?? '') ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'latin1');
  return { kind: 'embedded', bytes, written: null, ext: sniffImageExt(bytes) };
}

function asBytes(value: unknown): Uint8Array | null {
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return Uint8Array.from(value as number[]);
  return null;
}

/**
 * An image as written in a row, or a string saying why it is not one. Relative paths resolve
 * against `imageRoot`; realpath and root checks happen in validation, not here.
 */
export function toImageRef(value: unknown, imageRoot: string): ImageRef | string {
  if (typeof value === 'string') {
    if (value.trim() === '') return 'an empty string';
    if (/^https?:\/\//i.test(value)) return { kind: 'url', url: value };
    if (/^data:/i.test(value)) return fromDataUrl(value) ?? 'a malformed data: URL';
    return { kind: 'file', written: value, path: isAbsolute(value) ? value : join(imageRoot, value) };
  }
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const bytes = asBytes(record.bytes);
    const path = typeof record.path === 'string' && record.path !== '' ? record.path : null;
    if (bytes && bytes.length > 0) return { kind: 'embedded', bytes, written: path, ext: sniffImageExt(bytes) };
    if (path) return toImageRef(path, imageRoot);
    if (typeof record.url === 'string') return toImageRef(record.url, imageRoot);
    if (typeof record.image === 'string') return toImageRef(record.image, imageRoot);
    return `an object without bytes, path or url (keys: ${Object.keys(record).join(', ') || 'none'})`;
  }
  return value === null || value === undefined ? 'null' : `a ${typeof value}`;
}
