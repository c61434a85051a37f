/**
 * Image problems of a row's images. Each distinct resolved path is checked once (many rows share an
 * image), with a bounded number of checks in flight; sharp does the decoding on libuv threads.
 * Root containment is checked twice: lexically (`..`) and after realpath (symlinks).
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { checkImage } from '../../images/safeImage';
import type { ImageRef, ProblemCode } from '../types';

export interface ImageFinding {
  code: ProblemCode;
  message: string;
}

export interface ImageCheckOptions {
  imageRoot: string;
  maxPixels?: number;
  mode?: 'decode' | 'header' | 'none';
  concurrency?: number;
}

const inside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
};

export class ImageChecker {
  /** Findings per resolved path: a value once known, a promise while in flight. */
  private readonly cache = new Map<string, ImageFinding | null | Promise<ImageFinding | null>>();
  private readonly root: string;
  private realRoot: Promise<string> | null = null;
  private active = 0;
  private readonly queue: (() => void)[] = [];
  private limit: number;

  constructor(private readonly options: ImageCheckOptions) {
    this.root = resolve(options.imageRoot);
    this.limit = Math.max(1, this.concurrency);
  }

  /** Checks allowed at once when nothing else needs the CPU (the `concurrency` option, default 8). */
  get concurrency(): number {
    return this.options.concurrency ?? 8;
  }

  /**
   * Checks allowed at once from now on (at least 1): validation lowers it while it has rows to parse,
   * so decodes leave it a core and fs reads a libuv thread, and raises it while it waits for images.
   */
  setParallel(limit: number): void {
    this.limit = Math.max(1, limit);
    this.pump();
  }

  /** Distinct image files seen so far. */
  get distinctFiles(): number {
    return this.cache.size;
  }

  /** Checks waiting for a free slot. */
  get backlog(): number {
    return this.queue.length;
  }

  /** What is known of `path`: undefined (never checked), a finding or null, or a promise while in flight. */
  peek(path: string): ImageFinding | null | Promise<ImageFinding | null> | undefined {
    return this.cache.get(path);
  }

  /** A finding for the row's image `index` (0-based), or null; synchronous when the path was already checked. */
  check(ref: ImageRef, index: number): ImageFinding | null | Promise<ImageFinding | null> {
    if (ref.kind === 'url') {
      return { code: 'unsupported_content', message: `image ${index + 1} is a URL (${ref.url.slice(0, 120)}); training reads local files: download it and use its path` };
    }
    if (this.options.mode === 'none') return null;
    if (ref.kind === 'embedded') return this.limited(() => this.checkBytes(ref.bytes, `image ${index + 1}`));
    const known = this.cache.get(ref.path);
    if (known === null) return null; // the common case: a file already checked and fine
    if (known !== undefined) return known instanceof Promise ? known.then((f) => relabel(f, index)) : relabel(known, index);
    const pending = this.limited(() => this.checkFile(ref)).then((finding) => {
      this.cache.set(ref.path, finding);
      return finding;
    });
    this.cache.set(ref.path, pending);
    return pending.then((f) => relabel(f, index));
  }

  private async checkFile(ref: Extract<ImageRef, { kind: 'file' }>): Promise<ImageFinding | null> {
    const shown = `'${ref.written}'`;
    const relativeWritten = !isAbsolute(ref.written);
    if (relativeWritten && !inside(this.root, ref.path)) {
      return { code: 'image_outside_root', message: `${shown} escapes the image root ${this.root} (via '..'); it was not opened` };
    }
    const info = await stat(ref.path).catch(() => null);
    if (!info?.isFile()) {
      const what = info ? 'is not a file' : 'not found';
      return { code: 'image_missing', message: `${shown} ${what} (looked at ${ref.path}); set --images to the folder the paths are relative to` };
    }
    if (relativeWritten) {
      this.realRoot ??= realpath(this.root).catch(() => this.root);
      const [real, realRoot] = await Promise.all([realpath(ref.path), this.realRoot]);
      if (!inside(realRoot, real)) {
        return { code: 'image_outside_root', message: `${shown} is a symlink out of the image root ${realRoot} (to ${real}); it was not opened` };
      }
    }
    return this.verdict(ref.path, shown);
  }

  private checkBytes(bytes: Uint8Array, label: string): Promise<ImageFinding | null> {
    return this.verdict(bytes, label);
  }

  private async verdict(input: string | Uint8Array, shown: string): Promise<ImageFinding | null> {
    const result = await checkImage(input, { maxPixels: this.options.maxPixels, decode: this.options.mode !== 'header' });
    if (result.ok) return null;
    const what = result.code === 'image_too_large' ? 'is too large' : 'cannot be decoded';
    return { code: result.code, message: `${shown} ${what}: ${result.reason}` };
  }

  private async limited<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((wake) => this.queue.push(wake)); // pump() counts it in
    try {
      return await task();
    } finally {
      this.active--;
      this.pump();
    }
  }

  private pump(): void {
    while (this.active < this.limit && this.queue.length > 0) {
      this.active++;
      this.queue.shift()!();
    }
  }
}

/** Cached findings name the file; the row's message also says which of its images it was. */
function relabel(finding: ImageFinding | null, index: number): ImageFinding | null {
  return finding && { code: finding.code, message: `image ${index + 1}: ${finding.message}` };
}
