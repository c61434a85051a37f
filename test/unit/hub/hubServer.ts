// A test double of the Hugging Face Hub's file endpoints, enough for @huggingface/hub's listFiles and
// fileDownloadInfo plus plain downloads: GET /api/models/{repo}/tree/{rev}, GET /{repo}/resolve/{rev}/{path}
// with Range requests (206 + Content-Range), ETag, EntryNotFound 404s and optional bearer auth.
import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HubOptions {
  repo: string;
  files: Record<string, Uint8Array>;
  token?: string;
  /** Bytes per write and pause between writes (to make a transfer slow enough to cancel). */
  chunkBytes?: number;
  chunkDelayMs?: number;
  /** Cut the connection after sending this many body bytes of a file (once per path). */
  dropAfter?: Record<string, number>;
  /** Answer downloads with 200 and the whole file even when a Range is asked for. */
  ignoreRange?: boolean;
}

export interface HubRequest {
  method: string;
  url: string;
  range: string | undefined;
  authorization: string | undefined;
}

export async function startHub(options: HubOptions) {
  const requests: HubRequest[] = [];
  const dropped = new Set<string>();
  const etag = (path: string) => `"${createHash('sha256').update(options.files[path]!).digest('hex').slice(0, 16)}"`;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({ method: req.method ?? '', url: url.pathname, range: req.headers.range, authorization: req.headers.authorization });
    if (options.token && req.headers.authorization !== `Bearer ${options.token}`) return json(res, 401, { error: 'Invalid credentials in Authorization header' });
    const treePrefix = `/api/models/${options.repo}/tree/`;
    if (url.pathname.startsWith(treePrefix)) {
      const entries = Object.entries(options.files).map(([path, data]) => ({ type: 'file', path, size: data.byteLength, oid: etag(path).slice(1, -1) }));
      return json(res, 200, [{ type: 'directory', path: 'onnx', size: 0, oid: 'd' }, ...entries]);
    }
    if (url.pathname.startsWith('/api/models/')) return json(res, 404, { error: 'Repository not found' });
    const resolve = url.pathname.match(/^\/(.+?)\/resolve\/([^/]+)\/(.+)$/);
    if (!resolve || resolve[1] !== options.repo) return json(res, 404, { error: 'Repository not found' }, { 'X-Error-Code': 'RepoNotFound' });
    const path = decodeURIComponent(resolve[3]!);
    const data = options.files[path];
    if (!data) return json(res, 404, { error: 'Entry not found' }, { 'X-Error-Code': 'EntryNotFound' });
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    // fileDownloadInfo's size probe (bytes=0-0) is always answered properly; the faults below hit downloads.
    const probe = req.headers.range === 'bytes=0-0';
    let start = 0;
    let end = data.byteLength - 1;
    const headers: Record<string, string> = { ETag: etag(path), 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes' };
    if (range && (probe || !options.ignoreRange)) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), end) : end;
      if (start > end) return void res.writeHead(416, { 'Content-Range': `bytes */${data.byteLength}` }).end();
      res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${data.byteLength}`, 'Content-Length': String(end - start + 1) });
    } else {
      res.writeHead(200, { ...headers, 'Content-Length': String(data.byteLength) });
    }
    const body = data.subarray(start, end + 1);
    const step = options.chunkBytes ?? body.byteLength;
    const dropAt = options.dropAfter?.[path];
    const dropping = !probe && dropAt !== undefined && !dropped.has(path) && start < dropAt;
    const limit = dropping ? Math.min(body.byteLength, dropAt - start) : body.byteLength;
    for (let sent = 0; sent < limit; sent += step) {
      if (res.destroyed) return;
      res.write(body.subarray(sent, Math.min(sent + step, limit)));
      if (options.chunkDelayMs) await new Promise((r) => setTimeout(r, options.chunkDelayMs));
    }
    if (dropping) {
      dropped.add(path);
      await new Promise((r) => setTimeout(r, 20)); // let the bytes reach the client first
      return void res.destroy();
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    hubUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()); }),
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
}
