import { stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { downloadToFile, type RemoteFile } from './fileDownload';

export interface DownloadProgress {
  /** The file being transferred now. */
  file: string;
  /** Bytes on disk so far over all selected files (already-complete ones included). */
  bytes: number;
  total: number;
  filesDone: number;
  filesTotal: number;
}

export interface DownloadOptions {
  /** e.g. onnx-community/SmolVLM-256M-Instruct */
  repo: string;
  revision?: string;
  /** Files land in destDir/<path in repo>. */
  destDir: string;
  /** Which repo paths to fetch; default all. See modelFileFilter(). */
  filter?: (path: string) => boolean;
  /** Default https://huggingface.co; tests point it at a local server. */
  hubUrl?: string;
  /** hf_… token for gated repos; sent only as an Authorization header. */
  accessToken?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
}

export interface DownloadResult {
  dir: string;
  files: string[];
  bytes: number;
  /** Files already complete on disk (not transferred again). */
  skipped: string[];
}

/** Refuses repo paths that would escape the storage folder. */
function safeJoin(root: string, path: string): string {
  const full = normalize(join(root, path));
  if (isAbsolute(path) || !full.startsWith(normalize(root) + sep)) throw new Error(`refusing repo path outside the model folder: ${path}`);
  return full;
}

/**
 * Downloads a model repo (or the files `filter` picks) through @huggingface/hub's tree and resolve
 * endpoints, with progress, resume of partial files and cancel through `signal` (rejects with an
 * AbortError; partial `.incomplete` files stay and the next call continues them).
 */
export async function downloadModel(options: DownloadOptions): Promise<DownloadResult> {
  const hub = await import('@huggingface/hub');
  const { signal } = options;
  const baseFetch = options.fetch ?? fetch;
  const fetchWithSignal: typeof fetch = (input, init) => baseFetch(input, { ...init, signal });
  const common = { repo: options.repo, revision: options.revision, hubUrl: options.hubUrl, fetch: fetchWithSignal, accessToken: options.accessToken };
  const headers: Record<string, string> = options.accessToken ? { Authorization: `Bearer ${options.accessToken}` } : {};

  const listed: { path: string; size: number }[] = [];
  try {
    for await (const entry of hub.listFiles({ ...common, recursive: true })) {
      if (entry.type === 'file' && (options.filter?.(entry.path) ?? true)) listed.push({ path: entry.path, size: entry.lfs?.size ?? entry.size });
    }
  } catch (error) {
    throw describe(error, `cannot list files of ${options.repo}`, options.accessToken);
  }
  if (listed.length === 0) throw new Error(`no matching files in ${options.repo}${options.revision ? `@${options.revision}` : ''}`);

  const total = listed.reduce((sum, file) => sum + file.size, 0);
  let bytes = 0;
  let filesDone = 0;
  const skipped: string[] = [];
  const report = (file: string) => options.onProgress?.({ file, bytes, total, filesDone, filesTotal: listed.length });
  for (const file of listed) {
    signal?.throwIfAborted();
    const dest = safeJoin(options.destDir, file.path);
    const existing = await stat(dest).catch(() => null);
    if (existing?.isFile() && existing.size === file.size) {
      bytes += file.size;
      filesDone++;
      skipped.push(file.path);
      report(file.path);
      continue;
    }
    let info;
    try {
      info = await hub.fileDownloadInfo({ ...common, path: file.path });
    } catch (error) {
      throw describe(error, `cannot resolve ${options.repo}/${file.path}`, options.accessToken);
    }
    if (!info) throw new Error(`${options.repo} has no file ${file.path} (listed but not resolvable)`);
    const remote: RemoteFile = { path: file.path, url: info.url, size: info.size, etag: info.etag };
    const before = bytes;
    await downloadToFile({
      remote, dest, fetch: fetchWithSignal, headers, signal,
      onBytes: (delta) => {
        bytes += delta;
        report(file.path);
      },
    });
    bytes = before + remote.size;
    filesDone++;
    report(file.path);
  }
  return { dir: options.destDir, files: listed.map((file) => file.path), bytes: total, skipped };
}

function describe(error: unknown, what: string, token: string | undefined): Error {
  if ((error as Error).name === 'AbortError') return error as Error;
  const status = (error as { statusCode?: number }).statusCode;
  let message = `${what}: ${(error as Error).message}`;
  if (token) message = message.split(token).join('***');
  if (status === 401 || status === 403) message += token ? ' (check the access token: it may lack access to this gated repo)' : ' (this repo needs an access token)';
  if (status === 404) message += ' (check the repo id and revision)';
  return new Error(message);
}
