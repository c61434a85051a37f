/** Image files for the chat panel: which names count as images, format sniffing, content-hash storage. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** What the Explorer menu offers "Ask LLaVA" on (package.json's resourceExtname regex says the same). */
export const IMAGE_NAME = /\.(png|jpe?g|webp|gif|bmp|tiff?)$/i;

export function isImageName(name: string): boolean {
  return IMAGE_NAME.test(name);
}

/** Refuse bigger images outright: the backends downscale anyway, and this bounds memory per panel. */
export const MAX_IMAGE_BYTES = 48 * 1024 * 1024;

export interface Sniffed {
  mime: string;
  ext: string;
}

/** Identifies an image by its first bytes; the file name is not trusted. */
export function sniffImage(bytes: Uint8Array): Sniffed | null {
  const at = (offset: number, ...values: number[]) => values.every((v, i) => bytes[offset + i] === v);
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return { mime: 'image/png', ext: 'png' };
  if (at(0, 0xff, 0xd8, 0xff)) return { mime: 'image/jpeg', ext: 'jpg' };
  if (at(0, 0x47, 0x49, 0x46, 0x38)) return { mime: 'image/gif', ext: 'gif' };
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return { mime: 'image/webp', ext: 'webp' };
  if (at(0, 0x42, 0x4d)) return { mime: 'image/bmp', ext: 'bmp' };
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return { mime: 'image/tiff', ext: 'tiff' };
  return null;
}

/** Formats Chromium shows in an <img>; others (TIFF) get a PNG preview. */
export const BROWSER_IMAGE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp']);

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** True when `path` is `folder` itself or lies below it (after resolving `..`). */
export function isInside(folder: string, path: string): boolean {
  const rel = relative(resolve(folder), resolve(path));
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Keeps pasted/fetched bytes as `<dir>/<sha256>.<ext>`: the same picture pasted twice is one file.
 * The file is written to a temporary name, fsynced and renamed, so its name never points at half an
 * image; a file already there is trusted only when its bytes hash to its name (a copy torn by a crash
 * before this was so, or damaged since, is rewritten).
 */
export async function storeImageBytes(dir: string, bytes: Uint8Array): Promise<{ path: string; sha256: string; mime: string }> {
  if (bytes.length > MAX_IMAGE_BYTES) throw new Error(`image is ${(bytes.length / 1048576).toFixed(1)} MB, over the ${MAX_IMAGE_BYTES / 1048576} MB limit`);
  const sniffed = sniffImage(bytes);
  if (!sniffed) throw new Error('not an image the chat can read (expected PNG, JPEG, WebP, GIF, BMP or TIFF bytes)');
  const hash = sha256(bytes);
  const path = join(dir, `${hash}.${sniffed.ext}`);
  await mkdir(dir, { recursive: true });
  const existing = await readFile(path).catch(() => null);
  if (!existing || sha256(existing) !== hash) await writeAtomically(path, bytes);
  return { path, sha256: hash, mime: sniffed.mime };
}

async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw error;
  }
}

/** Reads an image file the user chose, checking size and format. */
export async function readImageFile(path: string): Promise<{ bytes: Uint8Array; sha256: string; mime: string }> {
  const bytes = await readFile(path);
  if (bytes.length > MAX_IMAGE_BYTES) throw new Error(`${path} is ${(bytes.length / 1048576).toFixed(1)} MB, over the ${MAX_IMAGE_BYTES / 1048576} MB limit`);
  const sniffed = sniffImage(bytes);
  if (!sniffed) throw new Error(`${path} is not a PNG, JPEG, WebP, GIF, BMP or TIFF image (extension ${extname(path) || 'none'})`);
  return { bytes, sha256: sha256(bytes), mime: sniffed.mime };
}

/** Bytes the webview can show: the file itself, or a PNG preview (longest edge 2048) for TIFF. */
export async function displayImage(path: string): Promise<{ bytes: Uint8Array; mime: string }> {
  const { bytes, mime } = await readImageFile(path);
  // A fresh, exactly-sized array: a pooled Buffer would drag its whole backing store into postMessage.
  if (BROWSER_IMAGE.has(mime)) return { bytes: new Uint8Array(bytes), mime };
  const sharp = (await import('sharp')).default;
  const png = await sharp(bytes, { pages: 1, limitInputPixels: 100_000_000 }).rotate()
    .resize(2048, 2048, { fit: 'inside', withoutEnlargement: true }).png().toBuffer();
  return { bytes: new Uint8Array(png), mime: 'image/png' };
}
