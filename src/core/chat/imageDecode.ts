import { readFile } from 'node:fs/promises';
import { ChatError, type ChatImage } from './types';

/** 8-bit sRGB pixels, 3 channels, EXIF orientation applied, alpha flattened onto white. */
export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
  /** Size as stored (before rotation and shrinking), for messages. */
  sourceWidth: number;
  sourceHeight: number;
  format: string;
}

export const DEFAULT_MAX_IMAGE_PIXELS = 100_000_000;

/** The `size` entry of a preprocessor_config.json, in its several shapes. */
export type ProcessorSize =
  | number
  | { shortest_edge?: number; longest_edge?: number; height?: number; width?: number };

export function imageLabel(image: ChatImage): string {
  return image.kind === 'file' ? image.path : image.label;
}

/**
 * Smallest size (aspect kept) that still gives the processor at least the pixels it resizes to,
 * or null when the image is already no bigger. Decoding straight to it lets libjpeg/libwebp shrink
 * on load instead of handing a 12-MP image to the JS processor.
 */
export function shrinkTarget(size: ProcessorSize | undefined, width: number, height: number): { width: number; height: number } | null {
  if (size === undefined) return null;
  let scale: number;
  if (typeof size === 'number') scale = size / Math.min(width, height);
  else if (size.shortest_edge) scale = size.shortest_edge / Math.min(width, height);
  else if (size.height && size.width) scale = Math.max(size.height / height, size.width / width);
  else if (size.longest_edge) scale = size.longest_edge / Math.max(width, height);
  else return null;
  if (!(scale < 1)) return null;
  return { width: Math.max(1, Math.ceil(width * scale)), height: Math.max(1, Math.ceil(height * scale)) };
}

async function readInput(image: ChatImage): Promise<Uint8Array> {
  if (image.kind === 'bytes') return image.bytes;
  try {
    return await readFile(image.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'read error';
    throw new ChatError('image-unreadable', `cannot read image ${image.path}: ${code}`, 'check that the file exists and is readable');
  }
}

/**
 * Decodes any image sharp reads (JPEG incl. CMYK, PNG incl. 16-bit/grey/alpha, WebP, GIF/animated:
 * first frame, TIFF, AVIF/HEIF) to 8-bit sRGB, refusing images over `maxPixels` before decoding.
 */
export async function decodeImage(
  image: ChatImage,
  options: { maxPixels?: number; size?: ProcessorSize } = {},
): Promise<DecodedImage> {
  const label = imageLabel(image);
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  const input = await readInput(image);
  const sharp = (await import('sharp')).default;
  const open = () => sharp(input, { limitInputPixels: maxPixels, pages: 1, failOn: 'error' });
  let meta;
  try {
    meta = await sharp(input, { limitInputPixels: false, pages: 1 }).metadata();
  } catch (error) {
    throw new ChatError('image-unreadable', `not a readable image: ${label} (${firstLine(error)})`, 'use a JPEG, PNG, WebP, GIF, TIFF or AVIF file');
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (!width || !height) throw new ChatError('image-unreadable', `image has no size: ${label}`, 'the file may be truncated');
  if (width * height > maxPixels) {
    throw new ChatError('image-too-large',
      `image ${label} is ${width}×${height} (${(width * height / 1e6).toFixed(1)} MP), over the limit of ${(maxPixels / 1e6).toFixed(0)} MP`,
      'downscale it first; the limit guards against decompression bombs');
  }
  const rotated = (meta.orientation ?? 1) >= 5;
  const [w, h] = rotated ? [height, width] : [width, height];
  let pipeline = open().rotate();
  if (meta.hasAlpha) pipeline = pipeline.flatten({ background: '#ffffff' });
  pipeline = pipeline.toColourspace('srgb');
  const target = shrinkTarget(options.size, w, h);
  if (target) pipeline = pipeline.resize(target.width, target.height, { fit: 'fill' });
  let decoded;
  try {
    decoded = await pipeline.removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new ChatError('image-unreadable', `cannot decode image ${label} (${meta.format}): ${firstLine(error)}`, 'the file may be truncated or damaged');
  }
  const { data, info } = decoded;
  const pixels = info.width * info.height;
  let rgb = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (info.channels !== 3) {
    // Grey stays one channel in some libvips paths; repeat it so the processor always gets RGB.
    const expanded = new Uint8Array(pixels * 3);
    for (let i = 0; i < pixels; i++) expanded.fill(rgb[i * info.channels]!, i * 3, i * 3 + 3);
    rgb = expanded;
  }
  return { data: rgb, width: info.width, height: info.height, channels: 3, sourceWidth: width, sourceHeight: height, format: meta.format ?? 'unknown' };
}

/** Re-encodes an image for a server (JPEG, longest edge ≤ maxEdge) as a data URL. */
export async function imageDataUrl(image: ChatImage, options: { maxPixels?: number; maxEdge?: number } = {}): Promise<string> {
  const maxEdge = options.maxEdge ?? 2048;
  const decoded = await decodeImage(image, { maxPixels: options.maxPixels, size: { longest_edge: maxEdge } });
  const sharp = (await import('sharp')).default;
  const jpeg = await sharp(decoded.data, { raw: { width: decoded.width, height: decoded.height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]!.trim();
}
