import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectAnswer } from '../../../src/core/chat/answerMeter';
import { OpenAIBackend } from '../../../src/core/chat/openaiBackend';
import { ChatError, type ChatEvent, type ChatMessage } from '../../../src/core/chat/types';
import { displayUrl, scrubUrls } from '../../../src/core/chat/urls';
import { COLOURS, png } from './testImages';

const KEY = 'sk-test-5ecret-do-not-leak';

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: string;
}

/** A test double of an OpenAI-compatible server: streams "the image is red" word by word over SSE. */
function fakeServer(behaviour: { words?: string[]; delayMs?: number; rejectStreamOptions?: boolean; errorInStream?: boolean } = {}) {
  const seen: Seen[] = [];
  const words = behaviour.words ?? ['the', ' image', ' is', ' red'];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      seen.push({ url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body });
      if (req.url !== '/v1/chat/completions') return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      if (req.headers.authorization !== `Bearer ${KEY}`) {
        return void res.writeHead(401, { 'content-type': 'application/json' }).end(`{"error":{"message":"invalid api key ${req.headers.authorization ?? ''}"}}`);
      }
      const request = JSON.parse(body);
      if (request.model !== 'tiny') return void res.writeHead(404, { 'content-type': 'application/json' }).end(`{"error":{"message":"model ${request.model} not found"}}`);
      if (behaviour.rejectStreamOptions && request.stream_options) {
        return void res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"unknown field stream_options"}}');
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': keep-alive\n\n');
      for (const [i, word] of words.entries()) {
        if (res.destroyed) return;
        const chunk = { choices: [{ index: 0, delta: { content: word }, finish_reason: i === words.length - 1 ? 'stop' : null }] };
        // Split one event across two writes and use CRLF once, as proxies do.
        const line = `data: ${JSON.stringify(chunk)}${i === 1 ? '\r\n\r\n' : '\n\n'}`;
        res.write(line.slice(0, 10));
        res.write(line.slice(10));
        if (behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));
      }
      if (behaviour.errorInStream) res.write('data: {"error":{"message":"out of memory"}}\n\n');
      if (request.stream_options) res.write(`data: ${JSON.stringify({ choices: [], usage: { completion_tokens: words.length + 1 } })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
  });
  return new Promise<{ baseUrl: string; seen: Seen[]; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        baseUrl: `http://127.0.0.1:${port}/v1`,
        seen,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
      });
    });
  });
}

const ask = (): ChatMessage[] => [
  { role: 'system', content: 'Answer briefly.' },
  { role: 'user', content: [{ type: 'image', index: 0 }, { type: 'text', text: 'What colour?' }] },
];

async function expectError(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ChatError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes(KEY) && !(error.hint ?? '').includes(KEY), 'key leaked into the error');
    return true;
  });
}

describe('openai backend against a local SSE server', function () {
  this.timeout(20_000);
  let image: Uint8Array;
  before(async () => (image = await png(COLOURS.red)));

  it('streams the answer, sends images as data URLs and the key only in Authorization', async () => {
    const server = await fakeServer();
    try {
      const backend = new OpenAIBackend({ kind: 'openai', baseUrl: `${server.baseUrl}/`, model: 'tiny', apiKey: KEY });
      const pieces: string[] = [];
      const answer = await collectAnswer(backend.stream(ask(), [{ kind: 'bytes', bytes: image, label: 'red.png' }], { maxNewTokens: 20 }), (t) => pieces.push(t));
      assert.deepEqual(pieces, ['the', ' image', ' is', ' red']);
      assert.equal(answer.text, 'the image is red');
      assert.equal(answer.tokens, 5, 'from usage.completion_tokens');
      assert.equal(answer.finishReason, 'eos');
      assert.equal(answer.backend, 'openai');
      assert.equal(answer.model, 'tiny');
      const [request] = server.seen;
      const body = JSON.parse(request!.body);
      assert.equal(body.stream, true);
      assert.equal(body.max_tokens, 20);
      assert.equal(body.messages[0].content[0].text, 'Answer briefly.');
      assert.match(body.messages[1].content[0].image_url.url, /^data:image\/jpeg;base64,\/9j\//);
      assert.deepEqual(body.messages[1].content[1], { type: 'text', text: 'What colour?' });
      const headerLines = [];
      for (let i = 0; i < request!.rawHeaders.length; i += 2) headerLines.push([request!.rawHeaders[i]!.toLowerCase(), request!.rawHeaders[i + 1]!]);
      assert.deepEqual(headerLines.filter(([, value]) => value!.includes(KEY)).map(([name]) => name), ['authorization']);
      assert.ok(!request!.body.includes(KEY) && !request!.url.includes(KEY));
    } finally {
      await server.close();
    }
  });

  it('retries without stream_options for servers that reject it', async () => {
    const server = await fakeServer({ rejectStreamOptions: true });
    try {
      const answer = await collectAnswer(new OpenAIBackend({ kind: 'openai', baseUrl: server.baseUrl, model: 'tiny', apiKey: KEY })
        .stream(ask(), [{ kind: 'bytes', bytes: image, label: 'red.png' }]));
      assert.equal(answer.text, 'the image is red');
      assert.equal(answer.tokens, 4, 'counted from chunks');
      assert.equal(server.seen.length, 2);
    } finally {
      await server.close();
    }
  });

  it('stops on abort and keeps the partial answer', async () => {
    const server = await fakeServer({ words: Array.from({ length: 200 }, (_, i) => `w${i} `), delayMs: 10 });
    try {
      const controller = new AbortController();
      const backend = new OpenAIBackend({ kind: 'openai', baseUrl: server.baseUrl, model: 'tiny', apiKey: KEY });
      let count = 0;
      let abortedAt = 0;
      const answer = await collectAnswer(backend.stream(ask(), [{ kind: 'bytes', bytes: image, label: 'red.png' }], {}, controller.signal), () => {
        if (++count === 5) {
          abortedAt = performance.now();
          controller.abort();
        }
      });
      assert.ok(performance.now() - abortedAt < 200);
      assert.equal(answer.finishReason, 'stopped');
      assert.equal(answer.text, 'w0 w1 w2 w3 w4 ');
    } finally {
      await server.close();
    }
  });

  it('explains 401 without echoing the key', async () => {
    const server = await fakeServer();
    try {
      const wrong = `${KEY}-wrong`;
      const backend = new OpenAIBackend({ kind: 'openai', baseUrl: server.baseUrl, model: 'tiny', apiKey: wrong });
      await expectError(collectAnswer(backend.stream(ask(), [{ kind: 'bytes', bytes: image, label: 'x' }])), 'unauthorized', /chat\/completions answered HTTP 401: the API key was refused/);
    } finally {
      await server.close();
    }
  });

  it('explains 404 for an unknown model and for a base URL without /v1', async () => {
    const server = await fakeServer();
    try {
      const badModel = new OpenAIBackend({ kind: 'openai', baseUrl: server.baseUrl, model: 'llava-13b', apiKey: KEY });
      await expectError(collectAnswer(badModel.stream(ask(), [{ kind: 'bytes', bytes: image, label: 'x' }])), 'not-found', /HTTP 404: no such endpoint or model 'llava-13b'.*model llava-13b not found/);
      const noV1 = new OpenAIBackend({ kind: 'openai', baseUrl: server.baseUrl.replace(/\/v1$/, ''), model: 'tiny', apiKey: KEY });
      await expectError(collectAnswer(noV1.stream(ask(), [{ kind: 'bytes', bytes: image, label: 'x' }])), 'not-found', /127\.0\.0\.1:\d+\/chat\/completions answered HTTP 404/);
    } finally {
      await server.close();
    }
  });

  it('explains a refused connection with the URL', async () => {
    const server = await fakeServer();
    const baseUrl = server.baseUrl;
    await server.close();
    const backend = new OpenAIBackend({ kind: 'openai', baseUrl, model: 'tiny', apiKey: KEY });
    await expectError(collectAnswer(backend.stream(ask(), [{ kind: 'bytes', bytes: image, label: 'x' }])), 'connection-refused', new RegExp(`cannot connect to ${baseUrl.replace(/\./g, '\\.')}/chat/completions: connection refused`));
  });

  it('surfaces an error the server sends mid-stream', async () => {
    const server = await fakeServer({ errorInStream: true });
    try {
      const backend = new OpenAIBackend({ kind: 'openai', baseUrl: server.baseUrl, model: 'tiny', apiKey: KEY });
      await expectError(collectAnswer(backend.stream(ask(), [{ kind: 'bytes', bytes: image, label: 'x' }])), 'server-error', /reported: out of memory/);
    } finally {
      await server.close();
    }
  });

  it('never shows user:password or a query string of the base URL, in status lines or errors', async () => {
    const server = await fakeServer();
    try {
      const withQuery = server.baseUrl.replace('/v1', '/v2') + '?token=qs-5ecret';
      const backend = new OpenAIBackend({ kind: 'openai', baseUrl: withQuery, model: 'tiny', apiKey: KEY });
      const statuses: ChatEvent[] = [];
      await assert.rejects((async () => { for await (const event of backend.stream(ask(), [{ kind: 'bytes', bytes: image, label: 'x' }])) statuses.push(event); })(), (error: unknown) => {
        assert.ok(error instanceof ChatError && error.code === 'not-found', String(error));
        assert.doesNotMatch(`${error.message} ${error.hint}`, /qs-5ecret|token=/);
        assert.match(error.message, /\/v2\/chat\/completions answered HTTP 404/, 'the path is still shown');
        return true;
      });
      assert.ok(statuses.every((e) => !JSON.stringify(e).includes('qs-5ecret')));
      assert.equal(server.seen[0]?.url, '/v2/chat/completions?token=qs-5ecret', 'the request itself keeps the query string, after the path');
      // Credentials in the URL: fetch refuses them, and its message (which repeats the URL) is scrubbed.
      const withUser = new OpenAIBackend({ kind: 'openai', baseUrl: server.baseUrl.replace('http://', 'http://bob:pw-5ecret@'), model: 'tiny' });
      await assert.rejects(collectAnswer(withUser.stream(ask(), [{ kind: 'bytes', bytes: image, label: 'x' }])), (error: unknown) => {
        assert.ok(error instanceof ChatError, String(error));
        assert.doesNotMatch(`${error.message} ${error.hint}`, /pw-5ecret|bob/);
        return true;
      });
    } finally {
      await server.close();
    }
  });
});

describe('chat URLs as shown', () => {
  const cases: [string, string][] = [
    ['http://localhost:8000/v1', 'http://localhost:8000/v1'],
    ['http://localhost:8000', 'http://localhost:8000'],
    ['https://bob:pw@gw.example.com/v1?key=abc#frag', 'https://gw.example.com/v1'],
    ['https://bucket.s3.amazonaws.com/cat.png?X-Amz-Signature=abc', 'https://bucket.s3.amazonaws.com/cat.png'],
    ['not a url?token=abc', 'not a url'],
    ['//bob:pw@host/x?y', '//host/x'],
  ];
  for (const [url, shown] of cases) it(`displayUrl(${url})`, () => assert.equal(displayUrl(url), shown));

  it('scrubUrls cleans every URL inside a message', () => {
    assert.equal(scrubUrls('cannot fetch https://u:p@a.example/x?sig=1: from http://b.example/?t=2 too'), 'cannot fetch https://a.example/x: from http://b.example/ too');
  });
});
