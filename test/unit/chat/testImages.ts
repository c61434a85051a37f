// Images in every awkward format, made with sharp at test time (nothing binary committed).
import { join } from 'node:path';

export const TINY_LLAVA = join(__dirname, '../../fixtures/tiny-llava/model');

export const COLOURS = { red: [210, 25, 30], green: [20, 170, 40], blue: [25, 40, 220] } as const;
export type ColourName = keyof typeof COLOURS;

async function sharpOf() {
  return (await import('sharp')).default;
}

/** A solid image (optionally with a different-coloured stripe to check orientation). */
export async function solid(rgb: readonly number[], width = 48, height = 40, channels: 3 | 4 = 3, alpha = 255) {
  const sharp = await sharpOf();
  const background = { r: rgb[0]!, g: rgb[1]!, b: rgb[2]!, ...(channels === 4 ? { alpha: alpha / 255 } : {}) };
  return sharp({ create: { width, height, channels, background } });
}

export async function png(rgb: readonly number[], width = 48, height = 40): Promise<Buffer> {
  return (await solid(rgb, width, height)).png().toBuffer();
}

export async function encode(kind: string, rgb: readonly number[]): Promise<Buffer> {
  const sharp = await sharpOf();
  switch (kind) {
    case 'jpeg': return (await solid(rgb)).jpeg().toBuffer();
    case 'png-16bit': return (await solid(rgb)).toColourspace('rgb16').png().toBuffer();
    case 'rgba-png': return (await solid(rgb, 48, 40, 4, 255)).png().toBuffer();
    case 'cmyk-jpeg': return (await solid(rgb)).toColourspace('cmyk').jpeg().toBuffer();
    case 'webp': return (await solid(rgb)).webp({ lossless: true }).toBuffer();
    case 'tiff': return (await solid(rgb)).tiff().toBuffer();
    case 'animated-gif': {
      // Frame 1 has the colour; frame 2 is a different colour the model must never see.
      const other = rgb[0]! > 128 ? [20, 20, 220] : [220, 20, 20];
      const frames = await Promise.all([rgb, other].map(async (c) => (await solid(c, 32, 32)).raw().toBuffer()));
      return sharp(Buffer.concat(frames), { raw: { width: 32, height: 64, channels: 3, pageHeight: 32 } }).gif({ loop: 0, delay: [100, 100] }).toBuffer();
    }
    default: throw new Error(`unknown kind ${kind}`);
  }
}

/** 60×20 image: left third coloured, the rest white, tagged EXIF orientation 6 (rotate 90° cw to view). */
export async function exifRotated(rgb: readonly number[]): Promise<Buffer> {
  const sharp = await sharpOf();
  const width = 60;
  const height = 20;
  const data = Buffer.alloc(width * height * 3, 255);
  for (let y = 0; y < height; y++) for (let x = 0; x < 20; x++) data.set(rgb, (y * width + x) * 3);
  return sharp(data, { raw: { width, height, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
}
