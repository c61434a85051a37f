/**
 * Where chat images may come from: a file in the workspace, a file the user picked or typed, bytes
 * the user pasted or dropped, or a URL the user pasted. Nothing else: a path named by the webview
 * must lie inside a workspace folder.
 */
import { realpath } from 'node:fs/promises';
import { basename, isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { displayUrl, scrubUrls } from '../../core/chat/urls';
import type { ImageSource, ImageView } from '../../protocol/chat';
import type { StoredImage } from './conversation';
import { displayImage, isImageName, isInside, MAX_IMAGE_BYTES, readImageFile, storeImageBytes } from './imageFiles';

export interface ImageImportDeps {
  /** Pasted and fetched bytes are kept here by content hash (the workspace's extension storage). */
  storageDir: string;
  /** Absolute paths of the workspace folders. */
  workspaceFolders(): string[];
  /** Shows an Open dialog; the chosen absolute path, or undefined. */
  pick(): Promise<string | undefined>;
  fetch?: typeof fetch;
  fetchTimeoutMs?: number;
}

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?(;[\w-]+=[\w.-]+)*;base64,/;

export function imageId(sha256: string): string {
  return `img-${sha256.slice(0, 16)}`;
}

/** The local path a dragged URI names (file: or vscode-remote:, which is this machine for a workspace extension). */
export function pathOfUri(uri: string): string | null {
  let url: URL;
  try {
    url = new URL(uri.trim());
  } catch {
    return null;
  }
  if (url.protocol === 'file:') return fileURLToPath(url);
  if (url.protocol === 'vscode-remote:') return decodeURIComponent(url.pathname);
  return null;
}

export class ImageImporter {
  constructor(private readonly deps: ImageImportDeps) {}

  /** undefined when the user cancelled the Open dialog. */
  async fromSource(source: ImageSource): Promise<StoredImage | undefined> {
    switch (source.kind) {
      case 'pick': {
        const path = await this.deps.pick();
        return path === undefined ? undefined : this.fromPath(path, 'picked');
      }
      case 'uri': {
        const path = pathOfUri(source.uri);
        if (!path) throw new Error(`cannot add ${source.uri.slice(0, 200)}: only files can be dropped here`);
        return this.fromWorkspacePath(path);
      }
      case 'url':
        return this.fromText(source.url);
      case 'dataUrl':
        return this.fromDataUrl(source.dataUrl, source.name);
    }
  }

  /** A file chosen by the user (Explorer, Open dialog, quick input): any readable image file. */
  async fromPath(path: string, origin: 'workspace' | 'picked'): Promise<StoredImage> {
    const { sha256, mime } = await readImageFile(path);
    return { id: imageId(sha256), name: basename(path), path, origin, sha256, mime };
  }

  /** A path the webview named: only inside a workspace folder. */
  async fromWorkspacePath(path: string): Promise<StoredImage> {
    if (!isImageName(path)) throw new Error(`${basename(path)} is not an image (png, jpg, webp, gif, bmp, tiff)`);
    const real = await realpath(path).catch(() => null);
    if (!real) throw new Error(`image not found: ${path}`);
    const folders = await Promise.all(this.deps.workspaceFolders().map((f) => realpath(f).catch(() => f)));
    if (!folders.some((folder) => isInside(folder, real))) {
      throw new Error(`${path} is outside the workspace: use "Pick an image…" to add files from elsewhere`);
    }
    return this.fromPath(path, 'workspace');
  }

  /** Pasted text: an http(s) URL the user pasted, or a path inside the workspace. */
  async fromText(text: string): Promise<StoredImage> {
    const value = text.trim();
    if (/^https?:\/\//i.test(value)) return this.fromUrl(value);
    const path = value.startsWith('file:') ? pathOfUri(value) : value;
    if (path && isAbsolute(path)) return this.fromWorkspacePath(path);
    throw new Error(`pasted text is neither an http(s) URL nor an absolute image path: ${value.slice(0, 120)}`);
  }

  async fromDataUrl(dataUrl: string, name: string): Promise<StoredImage> {
    const match = DATA_URL.exec(dataUrl);
    if (!match) throw new Error('pasted data is not a base64 data URL');
    const bytes = Buffer.from(dataUrl.slice(match[0].length), 'base64');
    const stored = await storeImageBytes(this.deps.storageDir, bytes);
    const clean = basename(name).replace(/[\u0000-\u001f]/g, '').slice(0, 120) || 'pasted image';
    return { id: imageId(stored.sha256), name: clean, path: stored.path, origin: 'pasted', sha256: stored.sha256, mime: stored.mime };
  }

  async fromUrl(url: string): Promise<StoredImage> {
    const doFetch = this.deps.fetch ?? fetch;
    // A presigned URL's query string is a credential: errors and the stored conversation get it without.
    const shown = displayUrl(url);
    let response: Response;
    try {
      response = await doFetch(url, { signal: AbortSignal.timeout(this.deps.fetchTimeoutMs ?? 30_000), redirect: 'follow' });
    } catch (error) {
      throw new Error(`cannot fetch ${shown}: ${scrubUrls((error as Error).message)}`);
    }
    if (!response.ok) throw new Error(`cannot fetch ${shown}: HTTP ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > MAX_IMAGE_BYTES) throw new Error(`${shown} is ${(declared / 1048576).toFixed(1)} MB, over the ${MAX_IMAGE_BYTES / 1048576} MB limit`);
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body ?? []) {
      size += chunk.length;
      if (size > MAX_IMAGE_BYTES) throw new Error(`${shown} is over the ${MAX_IMAGE_BYTES / 1048576} MB limit`);
      chunks.push(chunk);
    }
    const stored = await storeImageBytes(this.deps.storageDir, Buffer.concat(chunks));
    const name = decodeURIComponent(new URL(url).pathname.split('/').pop() || 'image');
    return { id: imageId(stored.sha256), name, path: stored.path, origin: 'url', url: shown, sha256: stored.sha256, mime: stored.mime };
  }

  /** What the webview shows: bytes to display, or why it cannot. */
  async view(image: StoredImage): Promise<ImageView> {
    const origin = image.origin === 'pasted' ? 'pasted image'
      : image.origin === 'url' ? (image.url ? displayUrl(image.url) : 'URL')
      : this.relativeToWorkspace(image.path);
    try {
      const { bytes, mime } = await displayImage(image.path);
      return { id: image.id, name: image.name, origin, mime, bytes, missing: null };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const missing = code === 'ENOENT' ? `image not found: ${image.path}` : `cannot show ${image.path}: ${(error as Error).message}`;
      return { id: image.id, name: image.name, origin, mime: image.mime, bytes: null, missing };
    }
  }

  relativeToWorkspace(path: string): string {
    for (const folder of this.deps.workspaceFolders()) {
      if (isInside(folder, path)) return relative(folder, path) || basename(path);
    }
    return path;
  }
}
