import assert from 'node:assert/strict';
import { collectAnswer } from '../../../src/core/chat/answerMeter';
import { newOnnxModelCache, OnnxBackend } from '../../../src/core/chat/onnxBackend';
import type { ChatEvent, ChatImage, ChatMessage } from '../../../src/core/chat/types';
import { COLOURS, encode, png, TINY_LLAVA, type ColourName } from './testImages';

const ask = (text = 'What colour is this image?'): ChatMessage[] => [
  { role: 'user', content: [{ type: 'image', index: 0 }, { type: 'text', text }] },
];
const bytes = (data: Uint8Array, label = 'test image'): ChatImage => ({ kind: 'bytes', bytes: data, label });

async function events(stream: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const all: ChatEvent[] = [];
  for await (const event of stream) all.push(event);
  return all;
}

describe('onnx backend on the tiny-llava fixture (real transformers.js path)', function () {
  this.timeout(60_000);
  const cache = newOnnxModelCache({ idleMs: 60_000 });
  const backend = new OnnxBackend({ kind: 'onnx', modelDir: TINY_LLAVA }, { cache });
  after(() => cache.unload());

  for (const colour of Object.keys(COLOURS) as ColourName[]) {
    it(`answers "${colour}" for a ${colour} image (the image reaches the decoder)`, async () => {
      const answer = await collectAnswer(backend.stream(ask(), [bytes(await png(COLOURS[colour]))]));
      assert.equal(answer.text, `the image is ${colour}`);
      assert.equal(answer.finishReason, 'eos');
      assert.equal(answer.backend, 'onnx');
      assert.equal(answer.model, 'model');
      assert.equal(answer.tokens, 5, 'the, image, is, colour, <|im_end|>');
      assert.ok(answer.ttft_ms > 0 && answer.tokens_per_s > 0 && (answer.preprocess_ms ?? -1) >= 0);
    });
  }

  it('streams several token events whose concatenation is the final answer', async () => {
    const all = await events(backend.stream(ask(), [bytes(await png(COLOURS.green))]));
    const tokens = all.filter((e) => e.type === 'token').map((e) => (e as { text: string }).text);
    const done = all.at(-1);
    assert.ok(done?.type === 'done');
    assert.ok(tokens.length >= 3, `expected several pieces, got ${JSON.stringify(tokens)}`);
    assert.equal(tokens.join(''), done.answer.text);
    assert.equal(done.answer.text, 'the image is green');
    assert.deepEqual(all.filter((e) => e.type === 'status').map((e) => (e as { stage: string }).stage).slice(-2), ['preparing-image', 'generating']);
  });

  it('stops within 200 ms of abort and keeps the partial answer', async () => {
    const controller = new AbortController();
    const pieces: string[] = [];
    let abortedAt = 0;
    const stream = backend.stream(ask(), [bytes(await png(COLOURS.blue))], { maxNewTokens: 100_000, ignoreEos: true }, controller.signal);
    const answer = await collectAnswer(stream, (text) => {
      pieces.push(text);
      if (pieces.length === 3 && !abortedAt) {
        abortedAt = performance.now();
        setTimeout(() => controller.abort(), 0);
      }
    });
    const latency = performance.now() - abortedAt;
    assert.ok(latency < 200, `stopped after ${latency.toFixed(0)} ms`);
    assert.equal(answer.finishReason, 'stopped');
    assert.ok(answer.text.startsWith('the image is blue'), answer.text);
    assert.ok(answer.tokens < 100_000);
    assert.equal(pieces.join(''), answer.text);
  });

  it('keeps the event loop turning during generation (timers fire between decoding steps)', async () => {
    const gaps: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 5);
    const started = performance.now();
    const answer = await collectAnswer(backend.stream(ask(), [bytes(await png(COLOURS.red))], { maxNewTokens: 400, ignoreEos: true }));
    const elapsed = performance.now() - started;
    clearInterval(timer);
    assert.equal(answer.tokens, 400);
    assert.equal(answer.finishReason, 'length');
    const expectedTicks = elapsed / 5;
    assert.ok(gaps.length >= expectedTicks / 4, `${gaps.length} ticks in ${elapsed.toFixed(0)} ms`);
    // A generate() that never yielded would show one gap as long as the whole run; a loaded CI box
    // may stall us now and then, so judge the typical gap, not the single worst one.
    const p90 = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length * 0.9)]!;
    assert.ok(p90 < 50, `90th-percentile gap ${p90.toFixed(0)} ms`);
    assert.ok(Math.max(...gaps) < elapsed / 2, `one stall of ${Math.max(...gaps).toFixed(0)} ms in ${elapsed.toFixed(0)} ms`);
  });

  const formats: [string, ColourName][] = [
    ['jpeg', 'red'], ['png-16bit', 'green'], ['rgba-png', 'blue'], ['cmyk-jpeg', 'red'],
    ['webp', 'green'], ['tiff', 'blue'], ['animated-gif', 'green'],
  ];
  for (const [kind, colour] of formats) {
    it(`reads a ${kind} image (${colour})`, async () => {
      const answer = await collectAnswer(backend.stream(ask(), [bytes(await encode(kind, COLOURS[colour]), kind)]));
      assert.equal(answer.text, `the image is ${colour}`);
    });
  }

  it('shrinks a large image to the processor size on load', async () => {
    const big = await png(COLOURS.red, 4000, 3000);
    const answer = await collectAnswer(backend.stream(ask(), [bytes(big)]));
    assert.equal(answer.text, 'the image is red');
  });

  it('ends with a stopped answer and no text when the signal is already aborted', async () => {
    const answer = await collectAnswer(backend.stream(ask(), [bytes(await png(COLOURS.red))], {}, AbortSignal.abort()));
    assert.equal(answer.finishReason, 'stopped');
    assert.equal(answer.text, '');
  });
});
