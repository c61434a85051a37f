import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pushRunToHub } from '../../../src/core/hub/upload';
import { makeTree } from '../helpers/tempTree';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/**
 * The Hub endpoints @huggingface/hub's createRepo + uploadFiles call (read from its src/lib/commit.ts
 * and create-repo.ts): repo creation, preupload (which files go to LFS), the LFS batch API with a
 * "basic" transfer whose PUT goes to a presigned URL, and the NDJSON commit. Records every request.
 */
function fakeHub(options: { existing?: string[]; rejectToken?: boolean } = {}): Promise<{ server: Server; base: string; seen: Seen[]; lfs: Map<string, Buffer> }> {
  const seen: Seen[] = [];
  const lfs = new Map<string, Buffer>();
  const repos = new Set(options.existing ?? []);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const base = `http://${req.headers.host}`;
      const json = (status: number, value: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (options.rejectToken) return json(401, { error: `Invalid credentials in Authorization header: ${req.headers.authorization}` });
      let m: RegExpExecArray | null;
      if (req.method === 'POST' && req.url === '/api/repos/create') {
        const { name, organization } = JSON.parse(body.toString()) as { name: string; organization: string };
        const id = `${organization}/${name}`;
        if (repos.has(id)) return json(409, { error: 'You already created this model repo' });
        repos.add(id);
        return json(200, { url: `${base}/${id}`, id: 'repo-1' });
      }
      if (req.method === 'POST' && (m = /^\/api\/models\/([^/]+\/[^/]+)\/preupload\/main$/.exec(req.url!))) {
        const { files } = JSON.parse(body.toString()) as { files: { path: string }[] };
        return json(200, { files: files.map((f) => ({ path: f.path, uploadMode: f.path.endsWith('.safetensors') ? 'lfs' : 'regular', shouldIgnore: false })) });
      }
      if (req.method === 'POST' && /^\/[^/]+\/[^/]+\.git\/info\/lfs\/objects\/batch$/.test(req.url!)) {
        const { objects } = JSON.parse(body.toString()) as { objects: { oid: string; size: number }[] };
        return json(200, { transfer: 'basic', objects: objects.map((o) => ({ ...o, authenticated: true, actions: { upload: { href: `${base}/presigned/${o.oid}?X-Amz-Signature=abc` } } })) });
      }
      if (req.method === 'PUT' && (m = /^\/presigned\/([0-9a-f]{64})/.exec(req.url!))) {
        lfs.set(m[1]!, body);
        res.writeHead(200, { etag: '"1"' });
        return res.end();
      }
      if (req.method === 'POST' && (m = /^\/api\/models\/([^/]+\/[^/]+)\/commit\/main$/.exec(req.url!))) {
        return json(200, { commitOid: 'c0ffee', commitUrl: `${base}/${m[1]}/commit/c0ffee`, success: true });
      }
      json(404, { error: `no route ${req.method} ${req.url}` });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, lfs })));
}

const TOKEN = 'hf_TestTokenThatMustNeverLeak0123456789';
const adapter = Buffer.alloc(4096, 7);

describe('push a run to the Hub (@huggingface/hub against a recording test server)', () => {
  const tree = makeTree({
    'run/run.json': JSON.stringify({ version: 1, config: { model: 'llava-hf/llava-1.5-7b-hf', method: 'lora', lr: 0.0002 } }),
    'run/final/adapter_config.json': JSON.stringify({ peft_type: 'LORA', r: 128 }),
    'run/final/adapter_model.safetensors': adapter,
    'run/final/preprocessor_config.json': '{"processor_class": "LlavaProcessor"}',
    'run/final/README.md': '---\nbase_model: llava-hf/llava-1.5-7b-hf\nlibrary_name: peft\n---\n# my adapter\n',
    'bare/final/adapter_config.json': '{}',
  });
  after(() => tree.remove());

  it('creates a private repo and commits every file of final/ with the message; the token is only ever in Authorization', async () => {
    const hub = await fakeHub();
    try {
      const result = await pushRunToHub({ runDir: `${tree.root}/run`, repoId: 'me/llava-cats', private: true, accessToken: TOKEN, hubUrl: hub.base, commitMessage: 'Adapter from run 7' });
      assert.equal(result.createdRepo, true);
      assert.equal(result.repoUrl, `${hub.base}/me/llava-cats`);
      assert.equal(result.commitOid, 'c0ffee');
      assert.deepEqual(result.files, ['README.md', 'adapter_config.json', 'adapter_model.safetensors', 'preprocessor_config.json']);

      const create = hub.seen.find((r) => r.url === '/api/repos/create')!;
      assert.deepEqual(JSON.parse(create.body.toString()), { name: 'llava-cats', organization: 'me', visibility: 'private', type: 'model' });

      const commit = hub.seen.find((r) => r.url === '/api/models/me/llava-cats/commit/main')!;
      assert.equal(commit.headers['content-type'], 'application/x-ndjson');
      const lines = commit.body.toString().split('\n').map((l) => JSON.parse(l) as { key: string; value: Record<string, unknown> });
      assert.deepEqual(lines[0], { key: 'header', value: { summary: 'Adapter from run 7' } });
      const inline = Object.fromEntries(lines.filter((l) => l.key === 'file').map((l) => [l.value.path, Buffer.from(String(l.value.content), 'base64').toString()]));
      assert.deepEqual(Object.keys(inline).sort(), ['README.md', 'adapter_config.json', 'preprocessor_config.json']);
      assert.match(inline['README.md']!, /^---\nbase_model: llava-hf\/llava-1\.5-7b-hf/);
      const sha = createHash('sha256').update(adapter).digest('hex');
      assert.deepEqual(lines.filter((l) => l.key === 'lfsFile').map((l) => l.value), [{ path: 'adapter_model.safetensors', algo: 'sha256', size: adapter.length, oid: sha }]);
      assert.deepEqual(hub.lfs.get(sha), adapter, 'the LFS PUT carried the adapter bytes');

      // The token: in the Authorization header of every Hub API call, and nowhere else at all.
      for (const request of hub.seen) {
        const api = !request.url.startsWith('/presigned/');
        assert.equal(request.headers.authorization, api ? `Bearer ${TOKEN}` : undefined, `${request.method} ${request.url}`);
        const elsewhere = [request.url, request.body.toString('latin1'), ...Object.entries(request.headers).filter(([k]) => k !== 'authorization').map(([, v]) => String(v))];
        for (const text of elsewhere) {
          assert.ok(!text.includes(TOKEN) && !text.includes(Buffer.from(TOKEN).toString('base64')), `token leaked in ${request.method} ${request.url}`);
        }
      }
    } finally {
      hub.server.close();
    }
  });

  it('commits into an existing repo, writing a model card when final/ has none', async () => {
    const hub = await fakeHub({ existing: ['me/bare'] });
    try {
      const result = await pushRunToHub({ runDir: `${tree.root}/bare`, repoId: 'me/bare', private: false, accessToken: TOKEN, hubUrl: hub.base });
      assert.equal(result.createdRepo, false);
      assert.deepEqual(result.files, ['README.md', 'adapter_config.json']);
      const commit = hub.seen.find((r) => r.url.endsWith('/commit/main'))!;
      const lines = commit.body.toString().split('\n').map((l) => JSON.parse(l) as { key: string; value: Record<string, unknown> });
      assert.equal((lines[0]!.value as { summary: string }).summary, 'Upload bare from LLaVA Studio');
      const card = Buffer.from(String(lines.find((l) => l.value.path === 'README.md')!.value.content), 'base64').toString();
      assert.match(card, /library_name: peft/);
      assert.match(card, /# bare/);
    } finally {
      hub.server.close();
    }
  });

  it('a rejected token: a short error with the hint, the token scrubbed even when the server echoes it', async () => {
    const hub = await fakeHub({ rejectToken: true });
    try {
      await assert.rejects(
        pushRunToHub({ runDir: `${tree.root}/run`, repoId: 'me/x', private: true, accessToken: TOKEN, hubUrl: hub.base }),
        (error: Error) => !error.message.includes(TOKEN) && /push to me\/x failed: .*\*\*\*.*check that the token has write access/.test(error.message),
      );
    } finally {
      hub.server.close();
    }
  });

  it('refuses before any request: no final/ folder, a bad repo id', async () => {
    await assert.rejects(pushRunToHub({ runDir: `${tree.root}/nowhere`, repoId: 'me/x', private: true, accessToken: TOKEN }), /nothing to push: .*final does not exist/);
    await assert.rejects(pushRunToHub({ runDir: `${tree.root}/run`, repoId: 'no-namespace', private: true, accessToken: TOKEN }), /repo id must look like namespace\/name \(got 'no-namespace'\)/);
  });
});
