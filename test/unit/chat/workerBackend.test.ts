import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { collectAnswer } from '../../../src/core/chat/answerMeter';
import type { Clock } from '../../../src/core/chat/modelCache';
import { WorkerBackend } from '../../../src/core/chat/workerBackend';
import { encodeRequest, parseWorkerLine } from '../../../src/core/chat/workerProtocol';
import { ChatError, type ChatEvent, type ChatMessage, type WorkerBackendConfig } from '../../../src/core/chat/types';
import { makeTree } from '../helpers/tempTree';

const FAKE = join(__dirname, 'fakeWorker.mjs');
const ask = (): ChatMessage[] => [{ role: 'user', content: [{ type: 'image', index: 0 }, { type: 'text', text: 'What colour?' }] }];

function worker(mode = 'normal', extra: Partial<WorkerBackendConfig> = {}, clock?: Clock): WorkerBackend {
  return new WorkerBackend({ kind: 'worker', python: process.execPath, model: 'llava-hf/llava-1.5-7b-hf', command: [process.execPath, FAKE, '--mode', mode], ...extra }, { clock });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function expectError(promise: Promise<unknown>, code: string, pattern: RegExp, hint?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ChatError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    if (hint) assert.match(error.hint ?? '', hint);
    return true;
  });
}

describe('worker protocol lines', () => {
  const cases: [string, unknown][] = [
    ['{"type":"token","id":"r1","text":"hi"}', { type: 'token', id: 'r1', text: 'hi' }],
    ['{"type":"done","id":"r1","tokens":5,"ttft_ms":12.5,"finish_reason":"length"}', { type: 'done', id: 'r1', tokens: 5, ttft_ms: 12.5, cancelled: false, finish_reason: 'length' }],
    ['{"id":"r2","type":"done","tokens":0,"ttft_ms":null,"cancelled":true}', { type: 'done', id: 'r2', tokens: 0, ttft_ms: null, cancelled: true }],
    ['{"type":"exit","reason":"idle-timeout"}', { type: 'exit', reason: 'idle-timeout' }],
    ['{"type":"error","id":null,"message":"no torch","hint":"pip install torch"}', { type: 'error', id: null, message: 'no torch', hint: 'pip install torch' }],
    ['{"type":"ready","model":"m","adapter":null,"device":"cuda:0","dtype":"bf16"}', { type: 'ready', model: 'm', device: 'cuda:0' }],
    ['{"type":"token","id":"r1"}', null],
    ['{"type":"done","id":"r1"}', null],
    ['Loading checkpoint shards: 100%', null],
    ['[1,2]', null],
    ['{"type":"surprise"}', null],
  ];
  for (const [line, expected] of cases) {
    it(`parses ${line}`, () => assert.deepEqual(parseWorkerLine(line), expected));
  }

  it('encodes one request per line', () => {
    assert.equal(encodeRequest({ type: 'cancel', id: 'r7' }), '{"type":"cancel","id":"r7"}\n');
  });
});

describe('worker backend with a fake worker', function () {
  this.timeout(20_000);
  let tree: ReturnType<typeof makeTree>;
  before(() => (tree = makeTree({ 'red.png': 'not really a png; the fake worker only checks the path' })));
  after(() => tree.remove());

  it('starts on demand, streams tokens and reports tokens/ttft', async () => {
    const backend = worker();
    try {
      assert.equal(backend.pid, null);
      const events: ChatEvent[] = [];
      for await (const event of backend.stream(ask(), [{ kind: 'file', path: join(tree.root, 'red.png') }])) events.push(event);
      assert.equal(events[0]?.type === 'status' && events[0].stage, 'starting-worker');
      const text = events.filter((e) => e.type === 'token').map((e) => (e as { text: string }).text);
      assert.deepEqual(text, ['the', ' image', ' is', ' red']);
      const done = events.at(-1);
      assert.ok(done?.type === 'done');
      assert.deepEqual({ ...done.answer, ttft_ms: 0, tokens_per_s: 0 }, { text: 'the image is red', tokens: 5, ttft_ms: 0, tokens_per_s: 0, backend: 'worker', model: 'llava-hf/llava-1.5-7b-hf', finishReason: 'eos' });
      assert.ok(done.answer.ttft_ms > 0);
      const pid = backend.pid;
      assert.ok(pid);
      const again = await collectAnswer(backend.stream(ask(), [{ kind: 'bytes', bytes: new Uint8Array([1, 2, 3]), label: 'pasted' }], { maxNewTokens: 3 }));
      assert.equal(again.text, 'the image is');
      assert.equal(again.finishReason, 'length');
      assert.equal(backend.pid, pid, 'the same worker served both requests');
    } finally {
      await backend.dispose();
    }
  });

  it('sends cancel on abort; the worker answers done with the partial text', async () => {
    const backend = worker('slow');
    try {
      const controller = new AbortController();
      let count = 0;
      let abortedAt = 0;
      const answer = await collectAnswer(backend.stream(ask(), [{ kind: 'file', path: join(tree.root, 'red.png') }], { maxNewTokens: 1000 }, controller.signal), () => {
        if (++count === 4) {
          abortedAt = performance.now();
          controller.abort();
        }
      });
      assert.ok(performance.now() - abortedAt < 200);
      assert.equal(answer.finishReason, 'stopped');
      assert.ok(answer.text.startsWith('w0 w1 w2 w3 '));
      assert.ok(answer.tokens < 100);
    } finally {
      await backend.dispose();
    }
  });

  it('ends a cancelled request itself when the worker never answers', async () => {
    const timers: (() => void)[] = [];
    const clock: Clock = { setTimeout: (fn) => timers.push(fn), clearTimeout: () => {} };
    const backend = worker('ignore-cancel', {}, clock);
    try {
      const controller = new AbortController();
      let count = 0;
      const answer = await collectAnswer(backend.stream(ask(), [{ kind: 'file', path: join(tree.root, 'red.png') }], { maxNewTokens: 50 }, controller.signal), () => {
        if (++count === 2) {
          controller.abort();
          setTimeout(() => timers.shift()?.(), 30); // the cancel grace period "expires"
        }
      });
      assert.equal(answer.finishReason, 'stopped');
    } finally {
      await backend.dispose();
    }
  });

  it('surfaces the worker\'s own error line when torch is missing, its fix shown once', async () => {
    const backend = worker('no-torch');
    await assert.rejects(collectAnswer(backend.stream([{ role: 'user', content: 'hi' }], [])), (error: unknown) => {
      assert.ok(error instanceof ChatError && error.code === 'worker-unavailable', String(error));
      assert.match(error.message, /^torch is not installed in .*: pip install -r \/ext\/native-bin\/requirements\.txt$/);
      assert.equal(error.hint, undefined, 'the message already ends with the hint: not repeated');
      return true;
    });
  });

  it('keeps a hint the message does not already carry', async () => {
    const backend = worker();
    try {
      await expectError(collectAnswer(backend.stream(ask(), [{ kind: 'file', path: join(tree.root, 'gone.png') }])), 'worker-failed', /cannot open image/, /^check the path$/);
    } finally {
      await backend.dispose();
    }
  });

  it('use_adapter: false answers with the base model on the adapter\'s worker; a worker without adapter ignores it', async () => {
    const tuned = worker('normal', { adapter: '/runs/r/checkpoint-5' });
    const plain = worker();
    const image = [{ kind: 'file' as const, path: join(tree.root, 'red.png') }];
    try {
      assert.equal((await collectAnswer(tuned.stream(ask(), image))).text, 'the image is red (tuned)');
      assert.equal((await collectAnswer(tuned.stream(ask(), image, { useAdapter: false }))).text, 'the image is red');
      assert.equal((await collectAnswer(tuned.stream(ask(), image, { useAdapter: true }))).text, 'the image is red (tuned)');
      assert.equal((await collectAnswer(plain.stream(ask(), image, { useAdapter: false }))).text, 'the image is red');
    } finally {
      await Promise.all([tuned.dispose(), plain.dispose()]);
    }
  });

  it('names the interpreter when it does not exist', async () => {
    const backend = new WorkerBackend({ kind: 'worker', python: '/nonexistent/bin/python3', model: 'm' });
    await expectError(collectAnswer(backend.stream([{ role: 'user', content: 'hi' }], [])), 'worker-unavailable', /python interpreter not found: \/nonexistent\/bin\/python3/, /Python interpreter/);
  });

  it('reports a crash with the last stderr line, and restarts on the next request', async () => {
    const backend = worker('crash');
    await expectError(collectAnswer(backend.stream(ask(), [{ kind: 'file', path: join(tree.root, 'red.png') }])), 'worker-failed', /exited with code 3: RuntimeError: CUDA error/);
    assert.equal(backend.pid, null);
    await expectError(collectAnswer(backend.stream(ask(), [{ kind: 'file', path: join(tree.root, 'red.png') }])), 'worker-failed', /exited with code 3/);
  });

  it('passes a per-request error through and keeps serving', async () => {
    const backend = worker();
    try {
      await expectError(collectAnswer(backend.stream(ask(), [{ kind: 'file', path: join(tree.root, 'gone.png') }])), 'worker-failed', /cannot open image .*gone\.png/);
      const answer = await collectAnswer(backend.stream(ask(), [{ kind: 'file', path: join(tree.root, 'red.png') }]));
      assert.equal(answer.text, 'the image is red');
    } finally {
      await backend.dispose();
    }
  });

  it('stops the worker after the idle time', async () => {
    const timers: (() => void)[] = [];
    const clock: Clock = { setTimeout: (fn) => timers.push(fn), clearTimeout: () => {} };
    const backend = worker('normal', { idleStopMs: 1000 }, clock);
    await collectAnswer(backend.stream(ask(), [{ kind: 'file', path: join(tree.root, 'red.png') }]));
    const pid = backend.pid!;
    assert.ok(alive(pid));
    assert.equal(timers.length, 1, 'idle timer armed');
    timers.shift()!();
    await until(() => !alive(pid));
    assert.equal(backend.pid, null);
  });

  it('sends one path per image part, in the order the parts appear', async () => {
    const backend = worker();
    try {
      const tree2 = makeTree({ 'green.png': 'x', 'blue.png': 'y' });
      const answer = await collectAnswer(backend.stream([
        { role: 'user', content: [{ type: 'image', index: 1 }, { type: 'text', text: 'vs' }, { type: 'image', index: 0 }] },
      ], [{ kind: 'file', path: join(tree2.root, 'blue.png') }, { kind: 'file', path: join(tree2.root, 'green.png') }]));
      tree2.remove();
      assert.equal(answer.text, 'the image is green', 'the first image part refers to images[1]');
    } finally {
      await backend.dispose();
    }
  });
});

describe('worker backend with the real serve.py (no torch here)', function () {
  this.timeout(20_000);
  const python = '/usr/bin/python3';
  const nativeBin = join(__dirname, '../../../native-bin');

  it('surfaces the worker\'s missing-torch line and hint', async function () {
    if (!existsSync(python) || !existsSync(join(nativeBin, 'llava_studio_worker', 'serve.py'))) this.skip();
    const probe = (await import('node:child_process')).spawnSync(python, ['-c', 'import torch, transformers, peft'], { encoding: 'utf8' });
    if (probe.status === 0) this.skip(); // a machine with the full stack would load a real model here
    const backend = new WorkerBackend({ kind: 'worker', python, model: 'llava-hf/llava-1.5-7b-hf', env: { PYTHONPATH: nativeBin } });
    await assert.rejects(collectAnswer(backend.stream([{ role: 'user', content: 'hi' }], [])), (error: unknown) => {
      assert.ok(error instanceof ChatError && error.code === 'worker-unavailable', String(error));
      assert.match(error.message, /is not installed in \/usr\/bin\/python3: pip install -r \S+requirements\.txt$/);
      assert.equal(error.hint, undefined, 'errors.py puts the fix in the message and the hint: shown once');
      return true;
    });
  });
});
