/**
 * Thumbnails for the dataset preview: sharp resize (libuv threads, so the extension host's event
 * loop stays free), a bounded number in flight, and a disk cache keyed by the image's content hash
 * (a renamed or re-downloaded file still hits; an edited one misses). Images over the pixel limit
 * are refused from their header, never decoded.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { imageSize } from './imageSize';
import { DEFAULT_MAX_PIXELS, loadSharp, readImageHeader } from './safeImage';

export interface ThumbnailOptions {
  cacheDir: string;
  /** Longest side in pixels (default 160). */
  size?: number;
  format?: 'webp' | 'png';
  /** Decodes in flight (default 3: one of libuv's 4 pool threads stays free for file reads). */
  concurrency?: number;
  maxPixels?: number;
}

export interface Thumbnail {
  data: Buffer;
  mime: string;
  width: number;
  height: number;
  /** Dimensions of the source image. */
  sourceWidth: number;
  sourceHeight: number;
  cached: boolean;
}

let tempCounter = 0;

/**
 * Cache files are a few KB on a local disk (VS Code's global storage): reading and writing them
 * synchronously takes microseconds, where a trip through the libuv pool would queue behind sharp's
 * decodes. Image sources and decoding stay asynchronous.
 */
function readSmall(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch {
    return null;
  }
}
const sha1 = (data: string | Uint8Array): string => createHash('sha1').update(data).digest('hex');

export class ThumbnailError extends Error {
  constructor(message: string, readonly code: 'image_missing' | 'image_unreadable' | 'image_too_large') {
    super(message);
  }
}

/**
 * Cache layout under cacheDir (one read per hit, one atomic write per miss):
 *   <k0k1>/<sha1 of the image bytes>-<size>.<format>  16-byte header (magic, thumb w/h, source w/h) + image
 *   by-stat/<s0s1>/<sha1 of path, size, mtime, inode, size, format>  the content key, so an unchanged
 *     file is found again without reading and hashing it.
 */
const MAGIC = 0x4c535431; // "LST1"
const HEADER = 16;

export class ThumbnailCache {
  private readonly size: number;
  private readonly format: 'webp' | 'png';
  private active = 0;
  private readonly queue: (() => void)[] = [];
  /** File stamp → content key, for this session. */
  private readonly known = new Map<string, string>();
  private readonly folders = new Set<string>();

  constructor(private readonly options: ThumbnailOptions) {
    this.size = options.size ?? 160;
    this.format = options.format ?? 'webp';
  }

  /** A thumbnail of a file or of embedded bytes. Rejects with ThumbnailError for missing/bad/too large images. */
  async thumbnail(input: { path: string } | { bytes: Uint8Array }): Promise<Thumbnail> {
    if (!('path' in input)) return this.fromBytes(input.bytes);
    const info = await stat(input.path).catch(() => null);
    if (!info?.isFile()) throw new ThumbnailError(`image not found: ${input.path}`, 'image_missing');
    const stamp = sha1(`${input.path}\0${info.size}\0${info.mtimeMs}\0${info.ino}\0${this.size}\0${this.format}`);
    const stampFile = join(this.options.cacheDir, 'by-stat', stamp.slice(0, 2), stamp);
    const key = this.known.get(stamp) ?? readSmall(stampFile)?.toString('latin1');
    if (key) {
      const hit = await this.readEntry(key);
      if (hit) return hit;
    }
    const bytes = await readFile(input.path);
    const made = await this.fromBytes(bytes, sha1(bytes));
    this.known.set(stamp, made.key);
    this.writeSmall(stampFile, Buffer.from(made.key, 'latin1'));
    return made.thumbnail;
  }

  private fromBytes(bytes: Uint8Array): Promise<Thumbnail>;
  private fromBytes(bytes: Uint8Array, key: string): Promise<{ thumbnail: Thumbnail; key: string }>;
  private async fromBytes(bytes: Uint8Array, key?: string): Promise<Thumbnail | { thumbnail: Thumbnail; key: string }> {
    const contentKey = key ?? sha1(bytes);
    const thumbnail = (await this.readEntry(contentKey)) ?? (await this.makeEntry(bytes, contentKey));
    return key === undefined ? thumbnail : { thumbnail, key: contentKey };
  }

  private entryPath(key: string): string {
    return join(this.options.cacheDir, key.slice(0, 2), `${key}-${this.size}.${this.format}`);
  }

  private async readEntry(key: string): Promise<Thumbnail | null> {
    const file = readSmall(this.entryPath(key));
    if (!file || file.length < HEADER || file.readUInt32LE(0) !== MAGIC) return null;
    return {
      data: file.subarray(HEADER), mime: `image/${this.format}`,
      width: file.readUInt16LE(4), height: file.readUInt16LE(6), sourceWidth: file.readUInt32LE(8), sourceHeight: file.readUInt32LE(12),
      cached: true,
    };
  }

  private async makeEntry(bytes: Uint8Array, key: string): Promise<Thumbnail> {
    const made = await this.limited(() => this.make(bytes));
    const header = Buffer.alloc(HEADER);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt16LE(made.width, 4);
    header.writeUInt16LE(made.height, 6);
    header.writeUInt32LE(made.sourceWidth, 8);
    header.writeUInt32LE(made.sourceHeight, 12);
    this.writeSmall(this.entryPath(key), Buffer.concat([header, made.data]));
    return made;
  }

  /** Write-then-rename, so a concurrent reader never sees half a file. */
  private writeSmall(file: string, data: Buffer): void {
    const folder = dirname(file);
    if (!this.folders.has(folder)) {
      mkdirSync(folder, { recursive: true });
      this.folders.add(folder);
    }
    const temp = `${file}.${process.pid}.${(tempCounter++).toString(36)}.tmp`;
    writeFileSync(temp, data);
    renameSync(temp, file);
  }

  private async make(bytes: Uint8Array): Promise<Thumbnail> {
    const maxPixels = this.options.maxPixels ?? DEFAULT_MAX_PIXELS;
    // Size from the header in JS (one sharp call per thumbnail, not two); sharp's metadata() otherwise.
    let source = imageSize(bytes);
    if (!source) {
      const header = await readImageHeader(bytes, maxPixels);
      if (!header.ok) throw new ThumbnailError(header.reason, header.code);
      source = header.header;
    }
    const pixels = source.width * source.height;
    if (pixels > maxPixels) {
      throw new ThumbnailError(`${source.width}×${source.height} = ${pixels.toLocaleString('en-US')} pixels, over the ${maxPixels.toLocaleString('en-US')} limit; not decoded`, 'image_too_large');
    }
    const sharp = await loadSharp();
    try {
      const pipeline = sharp(bytes, { limitInputPixels: maxPixels, failOn: 'truncated' })
        .rotate() // honour EXIF orientation, as the preview should show it
        .resize({ width: this.size, height: this.size, fit: 'inside', withoutEnlargement: true });
      const encoded = this.format === 'webp' ? pipeline.webp({ quality: 80 }) : pipeline.png();
      const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
      return { data, mime: `image/${this.format}`, width: info.width, height: info.height, sourceWidth: source.width, sourceHeight: source.height, cached: false };
    } catch (error) {
      const message = (error as Error).message.split('\n')[0]!;
      throw new ThumbnailError(`cannot decode image: ${message}`, /pixel limit/.test(message) ? 'image_too_large' : 'image_unreadable');
    }
  }

  private async limited<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= (this.options.concurrency ?? 3)) await new Promise<void>((wake) => this.queue.push(wake));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}
