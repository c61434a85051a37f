import assert from 'node:assert/strict';
import { parseScalarsWebviewMessage } from '../../src/protocol/scalars';

describe('smoke', () => {
  it('rejects an unknown message', () => {
    assert.throws(() => parseScalarsWebviewMessage({ kind: 'notify', type: 'nope' }), /unknown notify:nope/);
  });
});
