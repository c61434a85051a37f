import assert from 'node:assert/strict';
import type { BackendConfig, ChatBackend } from '../../../src/core/chat/types';
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
});
