import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectAnswer } from '../../../src/core/chat/answerMeter';
import { OpenAIBackend } from '../../../src/core/chat/openaiBackend';
import { LEGACY_OPENAI_KEY_SECRET, openAiKeySecretFor, withApiKey } from '../../../src/ui/chat/openaiKey';

/** A test double of an OpenAI-compatible server that records the Authorization header of each request. */
async function recordingServer(): Promise<{ baseUrl: string; auth: (string | undefined)[]; close: () => Promise<void> }> {
  const auth: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      auth.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`data: ${JSON.stringify({ choices: [{ delta: { content: 'ok' }, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/v1`, auth, close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }) };
}

describe('chat: the OpenAI-compatible API key is kept per origin', () => {
  const origins: [string, string][] = [
    ['http://localhost:8000/v1', 'http://localhost:8000'],
    ['HTTP://LocalHost:8000/v1/', 'http://localhost:8000'],
    ['https://api.example.com:443/v1', 'https://api.example.com'],
    ['https://bob:pw@api.example.com/v1?x=1', 'https://api.example.com'],
    ['http://127.0.0.1:11434/v1', 'http://127.0.0.1:11434'],
  ];
  for (const [baseUrl, origin] of origins) {
    it(`${baseUrl} → ${origin}`, () => assert.deepEqual(openAiKeySecretFor(baseUrl), { origin, secret: `openai-key:${origin}` }));
  }

  it('refuses a base URL that is not http(s), without echoing credentials', () => {
    assert.throws(() => openAiKeySecretFor('file:///etc/passwd'), /must be http\(s\), got file:/);
    assert.throws(() => openAiKeySecretFor('not a url?token=abc'), (error: Error) => /is not a URL/.test(error.message) && !error.message.includes('abc'));
  });

  const secrets = new Map([['openai-key:http://localhost:8000', 'sk-local'], [LEGACY_OPENAI_KEY_SECRET, 'sk-legacy']]);
  const get = async (name: string) => secrets.get(name);
  const cases: [string, string, string | undefined][] = [
    ['the origin the key was stored for', 'http://localhost:8000/v1', 'sk-local'],
    ['another path on that origin', 'http://localhost:8000/other/v1', 'sk-local'],
    ['another port', 'http://localhost:8001/v1', undefined],
    ['another host (a workspace redirecting the base URL)', 'https://attacker.example/v1', undefined],
    ['https instead of http', 'https://localhost:8000/v1', undefined],
    ['a host that merely starts like it', 'http://localhost:8000.attacker.example/v1', undefined],
  ];
  for (const [name, baseUrl, expected] of cases) {
    it(`sends the key to ${name}: ${expected ?? 'none'}`, async () => {
      const config = await withApiKey({ kind: 'openai', baseUrl, model: 'm' }, get);
      assert.equal(config.apiKey, expected);
    });
  }

  it('never keeps a key a config already carried, and never reads the pre-origin key', async () => {
    const read: string[] = [];
    const config = await withApiKey({ kind: 'openai', baseUrl: 'http://elsewhere:1/v1', model: 'm', apiKey: 'sk-stale' }, async (name) => { read.push(name); return secrets.get(name); });
    assert.equal(config.apiKey, undefined);
    assert.deepEqual(read, ['openai-key:http://elsewhere:1']);
  });

  it('over HTTP: only the server of the stored origin receives the Authorization header', async () => {
    const [a, b] = await Promise.all([recordingServer(), recordingServer()]);
    try {
      const stored = new Map([[openAiKeySecretFor(a.baseUrl).secret, 'sk-for-a']]);
      for (const server of [a, b]) {
        const config = await withApiKey({ kind: 'openai', baseUrl: server.baseUrl, model: 'm' }, async (name) => stored.get(name));
        const answer = await collectAnswer(new OpenAIBackend(config).stream([{ role: 'user', content: 'hi' }], []));
        assert.equal(answer.text, 'ok');
      }
      assert.deepEqual(a.auth, ['Bearer sk-for-a']);
      assert.deepEqual(b.auth, [undefined]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
