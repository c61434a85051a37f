import assert from 'node:assert/strict';
import { AnswerMeter } from '../../../src/core/chat/answerMeter';
import { imagesInOrder, toTemplateMessages } from '../../../src/core/chat/messages';
import { sseData } from '../../../src/core/chat/sse';
import { ChatError, type ChatImage } from '../../../src/core/chat/types';

const img = (label: string): ChatImage => ({ kind: 'bytes', bytes: new Uint8Array(), label });

describe('chat messages', () => {
  it('orders images as the template meets them, repeats included', () => {
    const a = img('a');
    const b = img('b');
    const ordered = imagesInOrder([
      { role: 'user', content: [{ type: 'image', index: 1 }, { type: 'text', text: 'and' }, { type: 'image', index: 0 }] },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: [{ type: 'image', index: 1 }] },
    ], [a, b]);
    assert.deepEqual(ordered, [b, a, b]);
  });

  it('refuses a reference to an image that was not given', () => {
    assert.throws(() => imagesInOrder([{ role: 'user', content: [{ type: 'image', index: 2 }] }], [img('a')]),
      (error: unknown) => error instanceof ChatError && error.code === 'bad-request' && /message 0 refers to image 2, but 1 image\(s\)/.test(error.message));
    assert.throws(() => imagesInOrder([], []), /no messages/);
  });

  it('turns messages into HF template parts', () => {
    assert.deepEqual(toTemplateMessages([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: [{ type: 'image', index: 0 }, { type: 'text', text: 'Hi' }] }]), [
      { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
      { role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Hi' }] },
    ]);
  });
});

describe('answer metrics', () => {
  it('measures ttft from the start and tokens/s over the tokens after the first', () => {
    let now = 1000;
    const meter = new AnswerMeter('onnx', 'm', () => now);
    now = 1250;
    meter.addTokens(1, 'a');
    now = 1350;
    meter.addTokens(1, 'b');
    now = 1450;
    meter.addTokens(1, 'c');
    assert.deepEqual(meter.finish('eos'), { text: 'abc', tokens: 3, ttft_ms: 250, tokens_per_s: 10, backend: 'onnx', model: 'm', finishReason: 'eos' });
  });

  it('reports 0 tokens/s for a one-token answer', () => {
    const meter = new AnswerMeter('openai', 'm', () => 5);
    meter.addTokens(1, 'x');
    assert.equal(meter.finish('length').tokens_per_s, 0);
  });
});

describe('server-sent events', () => {
  const stream = (...pieces: string[]) => new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(new TextEncoder().encode(piece));
      controller.close();
    },
  });
  const all = async (body: ReadableStream<Uint8Array>) => {
    const out: string[] = [];
    for await (const data of sseData(body)) out.push(data);
    return out;
  };

  it('joins events split across chunks, CRLF and multi-line data; skips comments', async () => {
    assert.deepEqual(await all(stream(': hi\n\ndata: {"a"', ':1}\r\n\r\ndata:x\ndata: y\n\nevent: ping\n\ndata: [DONE]')), ['{"a":1}', 'x\ny', '[DONE]']);
  });

  it('decodes a UTF-8 character split between chunks', async () => {
    const bytes = new TextEncoder().encode('data: héllo\n\n');
    const cut = bytes.indexOf(0xc3) + 1;
    const body = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(bytes.slice(0, cut)); c.enqueue(bytes.slice(cut)); c.close(); } });
    assert.deepEqual(await all(body), ['héllo']);
  });
});
