import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CURATED_MODELS, searchModels } from '../../../src/core/hub/search';

/** /api/models as the Hub answers it (fields listModels reads: _id, id, expand keys). */
function fakeHub(status = 200): Promise<{ server: Server; base: string; urls: URL[] }> {
  const urls: URL[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    urls.push(url);
    if (url.pathname !== '/api/models' || status !== 200) {
      res.writeHead(status === 200 ? 404 : status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Internal Error' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify([
      { _id: '65a', id: 'llava-hf/llava-1.5-7b-hf', private: false, gated: false, pipeline_tag: 'image-text-to-text', downloads: 1200000, likes: 250, lastModified: '2025-01-02T03:04:05.000Z', safetensors: { parameters: { F16: 7063427072 }, total: 7063427072 } },
      { _id: '65b', id: 'someone/llava-gated', private: false, gated: 'manual', pipeline_tag: 'image-text-to-text', downloads: 3, likes: 0, lastModified: '2024-06-01T00:00:00.000Z' },
    ]));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, urls })));
}

/** A port nothing listens on: connections are refused, as when offline. */
async function closedPort(): Promise<string> {
  const { server, base } = await fakeHub();
  await new Promise((resolve) => server.close(resolve));
  return base;
}

describe('Hub model search', () => {
  it('asks /api/models for image-text-to-text matches with downloads, likes and safetensors sizes', async () => {
    const hub = await fakeHub();
    try {
      const result = await searchModels('llava', { hubUrl: hub.base, limit: 10 });
      assert.equal(result.offline, false);
      assert.equal(result.message, null);
      const query = hub.urls[0]!.searchParams;
      assert.equal(query.get('search'), 'llava');
      assert.equal(query.get('pipeline_tag'), 'image-text-to-text');
      assert.equal(query.get('sort'), 'downloads');
      for (const field of ['downloads', 'likes', 'safetensors']) assert.ok(query.getAll('expand').includes(field), `expand=${field}`);
      assert.deepEqual(result.models[0], { id: 'llava-hf/llava-1.5-7b-hf', params: 7063427072, downloads: 1200000, likes: 250, task: 'image-text-to-text', gated: false, updatedAt: '2025-01-02T03:04:05.000Z' });
      assert.equal(result.models[1]!.params, null);
      assert.equal(result.models[1]!.gated, true);
    } finally {
      hub.server.close();
    }
  });

  const offline = [
    { query: '', expect: CURATED_MODELS.map((m) => m.id), note: false },
    { query: 'qwen', expect: ['llava-hf/llava-onevision-qwen2-0.5b-ov-hf', 'Qwen/Qwen2-VL-2B-Instruct', 'Qwen/Qwen2-VL-7B-Instruct'], note: false },
    { query: 'no-such-thing', expect: CURATED_MODELS.map((m) => m.id), note: true },
  ];
  for (const { query, expect, note } of offline) {
    it(`offline: the curated shortlist for "${query}", flagged offline with a plain message`, async () => {
      const hubUrl = await closedPort();
      const result = await searchModels(query, { hubUrl });
      assert.equal(result.offline, true);
      assert.deepEqual(result.models.map((m) => m.id), expect);
      assert.match(result.message!, new RegExp(`Can't reach ${hubUrl.replace(/[.]/g, '\\.')}`));
      assert.equal(/None of them matches/.test(result.message!), note);
      assert.ok(result.models.every((m) => m.params !== null && m.params > 1e8));
    });
  }

  it('an HTTP error is an error, not "offline"', async () => {
    const hub = await fakeHub(500);
    try {
      await assert.rejects(searchModels('llava', { hubUrl: hub.base }), /model search on http:\/\/127\.0\.0\.1:\d+ failed/);
    } finally {
      hub.server.close();
    }
  });

  it('the shortlist has the nine known bases', () => {
    assert.deepEqual(CURATED_MODELS.map((m) => m.id), [
      'llava-hf/llava-1.5-7b-hf', 'llava-hf/llava-v1.6-mistral-7b-hf', 'llava-hf/llava-onevision-qwen2-0.5b-ov-hf',
      'Qwen/Qwen2-VL-2B-Instruct', 'Qwen/Qwen2-VL-7B-Instruct', 'HuggingFaceTB/SmolVLM-256M-Instruct',
      'HuggingFaceTB/SmolVLM-Instruct', 'google/paligemma-3b-pt-224', 'HuggingFaceM4/Idefics3-8B-Llama3',
    ]);
  });
});
