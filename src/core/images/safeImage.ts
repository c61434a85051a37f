/**
 * Image checks that never let a hostile file hurt us: dimensions come from the header (sharp's
 * metadata() does not decode pixels), anything over the pixel limit is refused before decoding, and
 * decoding itself runs with `limitInputPixels` as a second guard. sharp is loaded on first use.
 */
import type { Sharp, SharpOptions } from 'sharp';

/** PIL raises DecompressionBombError above this (2 × its 89,478,485 warning limit); the trainer uses PIL. */
export const DEFAULT_MAX_PIXELS = 178_956_970;

type SharpFactory = (input?: string | Uint8Array, options?: SharpOptions) => Sharp;
let sharpModule: Promise<SharpFactory> | null = null;

export function loadSharp(): Promise<SharpFactory> {
  sharpModule ??= import('sharp').then((m) => ((m as unknown as { default?: SharpFactory }).default ?? (m as unknown as SharpFactory)));
  return sharpModule;
}

export interface ImageHeader {
  width: number;
  height: number;
  format: string;
}

export type ImageVerdict =
  | { ok: true; header: ImageHeader }
  | { ok: false; code: 'image_unreadable' | 'image_too_large'; reason: string };

const formatPixels = (n: number): string => n.toLocaleString('en-US');

/** Header only: format and dimensions, or why there are none. Never decodes pixel data. */
export async function readImageHeader(input: string | Uint8Array, maxPixels = DEFAULT_MAX_PIXELS): Promise<ImageVerdict> {
  const sharp = await loadSharp();
  let header: ImageHeader;
  try {
    const meta = await sharp(input, { limitInputPixels: false }).metadata();
    if (!meta.width || !meta.height) return { ok: false, code: 'image_unreadable', reason: 'the header has no dimensions' };
    // EXIF-rotated images keep their stored dimensions; the pixel count is the same either way.
    header = { width: meta.width, height: meta.height, format: meta.format ?? 'unknown' };
  } catch (error) {
    return { ok: false, code: 'image_unreadable', reason: shortReason(error) };
  }
  const pixels = header.width * header.height;
  if (pixels > maxPixels) {
    return {
      ok: false,
      code: 'image_too_large',
      reason: `${header.width}×${header.height} = ${formatPixels(pixels)} pixels, over the ${formatPixels(maxPixels)} limit (a decompression bomb to PIL); not decoded`,
    };
  }
  return { ok: true, header };
}

/**
 * Header check, then a full decode at thumbnail scale (JPEG shrink-on-load still reads every block,
 * so a truncated file fails here as it would in PIL).
 */
export async function checkImage(input: string | Uint8Array, options: { maxPixels?: number; decode?: boolean } = {}): Promise<ImageVerdict> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const verdict = await readImageHeader(input, maxPixels);
  if (!verdict.ok || options.decode === false) return verdict;
  const sharp = await loadSharp();
  try {
    await sharp(input, { limitInputPixels: maxPixels, failOn: 'truncated' })
      .resize({ width: 32, height: 32, fit: 'inside', withoutEnlargement: true })
      .raw()
      .toBuffer();
    return verdict;
  } catch (error) {
    return { ok: false, code: 'image_unreadable', reason: shortReason(error) };
  }
}

function shortReason(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  return message.split('\n')[0]!.replace(/^Input (file|buffer) /, '').slice(0, 200);
}
