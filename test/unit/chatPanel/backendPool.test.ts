import assert from 'node:assert/strict';
import { collectAnswer } from '../../../src/core/chat/answerMeter';
import type { BackendConfig, ChatBackend, ChatEvent } from '../../../src/core/chat/types';
import { BackendPool, poolKey } from '../../../src/ui/chat/backendPool';

describe('chat backend pool', () => {
  const made: BackendConfig[] = [];
  const disposed: string[] = [];
  const create = async (config: BackendConfig): Promise<ChatBackend> => {
    made.push(config);
    if (config.kind === 'worker' && config.model === 'bad') throw new Error('cannot start');
    return { kind: config.kind, model: JSON.stringify(config), stream: () => { throw new Error('unused'); }, dispose: async () => { disposed.push(config.kind); } };
  };
  beforeEach(() => { made.length = 0; disposed.length = 0; });

  it('one backend per configuration, shared by every panel', async () => {
    const pool = new BackendPool(create);
    const a = await pool.get({ kind: 'worker', python: 'p', model: 'm' });
    const b = await pool.get({ kind: 'worker', python: 'p', model: 'm' });
    const c = await pool.get({ kind: 'worker', python: 'p', model: 'm', adapter: '/ckpt' });
    assert.equal(a, b);
    assert.notEqual(a, c);
    assert.equal(made.length, 2);
    await pool.dispose();
    assert.deepEqual(disposed, ['worker', 'worker']);
    assert.equal(pool.size, 0);
  });

  it('a failed start is not cached', async () => {
    const pool = new BackendPool(create);
    await assert.rejects(pool.get({ kind: 'worker', python: 'p', model: 'bad' }), /cannot start/);
    await new Promise((r) => setImmediate(r));
    assert.equal(pool.size, 0);
  });

  it('the key never holds the API key itself, but a new key makes a new backend', () => {
    const one = poolKey({ kind: 'openai', baseUrl: 'http://h/v1', model: 'm', apiKey: 'sk-secret-1' });
    const two = poolKey({ kind: 'openai', baseUrl: 'http://h/v1', model: 'm', apiKey: 'sk-secret-2' });
    assert.doesNotMatch(one, /sk-secret/);
    assert.notEqual(one, two);
  });

  /** A backend whose stream holds until released: stands for an answer being generated. */
  function holding() {
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    const events: string[] = [];
    const make = async (config: BackendConfig): Promise<ChatBackend> => ({
      kind: config.kind, model: 'm',
      async *stream(): AsyncGenerator<ChatEvent> {
        await held;
        yield { type: 'done', answer: { text: '', tokens: 0, ttft_ms: 0, tokens_per_s: 0, backend: config.kind, model: 'm', finishReason: 'eos' } };
      },
      dispose: async () => { events.push(`disposed ${config.kind === 'worker' ? config.model : config.kind}`); },
    });
    return { make, release, events };
  }

  it('retain: backends no current target uses are stopped; the others kept', async () => {
    const pool = new BackendPool(create);
    const keep = { kind: 'worker', python: 'p', model: 'kept' } as const;
    await pool.get(keep);
    await pool.get({ kind: 'worker', python: 'p', model: 'old-setting' });
    await pool.get({ kind: 'worker', python: 'old-python', model: 'kept' });
    await pool.retain([keep, { kind: 'onnx', modelDir: '/never/started' }]);
    assert.equal(pool.size, 1);
    assert.equal(disposed.length, 2);
    assert.equal(await pool.get(keep), await pool.get(keep));
    assert.equal(made.length, 3, 'the kept backend was not recreated');
  });

  it('retain waits for a running answer before stopping its backend', async () => {
    const { make, release, events } = holding();
    const pool = new BackendPool(make);
    const backend = await pool.get({ kind: 'worker', python: 'p', model: 'busy' });
    const answering = collectAnswer(backend.stream([], []));
    await new Promise((r) => setImmediate(r));
    const retained = pool.retain([]);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(events, [], 'not stopped mid-answer');
    release();
    await answering;
    await retained;
    assert.deepEqual(events, ['disposed busy']);
  });

  it('dispose stops retiring backends too, without waiting for their answers', async () => {
    const { make, events } = holding();
    const pool = new BackendPool(make);
    const backend = await pool.get({ kind: 'worker', python: 'p', model: 'busy' });
    void collectAnswer(backend.stream([], [])).catch(() => {});
    await new Promise((r) => setImmediate(r));
    void pool.retain([]);
    await pool.dispose();
    assert.deepEqual(events, ['disposed busy']);
  });

  it('an OpenAI target keeps its backend across retain (the key is not part of what a target names); a new key replaces it', async () => {
    const pool = new BackendPool(create);
    const base = { kind: 'openai', baseUrl: 'http://h/v1', model: 'm' } as const;
    const first = await pool.get({ ...base, apiKey: 'sk-1' });
    await pool.retain([base]);
    assert.equal(await pool.get({ ...base, apiKey: 'sk-1' }), first);
    await pool.get({ ...base, apiKey: 'sk-2' });
    await new Promise((r) => setImmediate(r));
    assert.equal(pool.size, 1);
    assert.deepEqual(disposed, ['openai']);
  });
});
