import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What the Hub's resolve endpoint told us about one file. */
export interface RemoteFile {
  path: string;
  url: string;
  size: number;
  etag: string;
}

/**
 * Downloads one file to `dest` through `dest.incomplete`. A partial file from an earlier, interrupted
 * run is continued with a Range request when its recorded ETag still matches; a server that ignores
 * Range (200 instead of 206) restarts it from zero. Aborting leaves the partial file for next time.
 */
export async function downloadToFile(options: {
  remote: RemoteFile;
  dest: string;
  fetch: typeof fetch;
  headers: Record<string, string>;
  signal?: AbortSignal;
  onBytes: (delta: number) => void;
}): Promise<void> {
  const { remote, dest, signal } = options;
  const partial = `${dest}.incomplete`;
  const meta = `${partial}.json`;
  await mkdir(dirname(dest), { recursive: true });
  let offset = 0;
  const recorded = await readFile(meta, 'utf8').then((text) => JSON.parse(text) as { etag?: string }, () => null);
  const partialSize = (await stat(partial).catch(() => null))?.size ?? 0;
  if (recorded?.etag === remote.etag && partialSize <= remote.size) offset = partialSize;
  else await rm(partial, { force: true });
  await writeFile(meta, JSON.stringify({ etag: remote.etag, size: remote.size, path: remote.path }));
  if (offset > 0) options.onBytes(offset);

  if (offset < remote.size) {
    const response = await options.fetch(remote.url, {
      headers: { ...options.headers, ...(offset > 0 ? { Range: `bytes=${offset}-` } : {}) },
      signal,
    });
    if (response.status === 416 || !response.ok || !response.body) {
      await response.body?.cancel().catch(() => {});
      if (response.status === 416) await rm(partial, { force: true });
      throw new Error(`download of ${remote.path} failed: HTTP ${response.status} from ${remote.url}`);
    }
    if (offset > 0 && response.status !== 206) {
      options.onBytes(-offset); // the server sent the whole file: start over
      offset = 0;
    }
    const file = await open(partial, offset > 0 ? 'a' : 'w');
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        await file.write(chunk);
        options.onBytes(chunk.byteLength);
      }
    } finally {
      await file.close();
    }
  }
  const size = (await stat(partial)).size;
  if (size !== remote.size) {
    if (size > remote.size) await rm(partial, { force: true });
    throw new Error(`download of ${remote.path} is ${size} bytes, expected ${remote.size}; run the download again to resume`);
  }
  await rename(partial, dest);
  await rm(meta, { force: true });
}
