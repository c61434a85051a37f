import assert from 'node:assert/strict';
import { DEFAULT_GENERATION, isChatViewState, parseChatWebviewMessage, requestIdOf } from '../../../src/protocol/chat';

const settings = DEFAULT_GENERATION;
const req = (method: string, params: unknown, id = 1) => ({ kind: 'request', id, method, params });
const state = { conversationId: 'c-1', draft: '', settings, targets: ['onnx:/m', null], compare: false };

describe('chat protocol: inbound validation', () => {
  const valid: [string, unknown][] = [
    ['ready', { kind: 'notify', type: 'ready', payload: {} }],
    ['state', { kind: 'notify', type: 'state', payload: state }],
    ['send', req('send', { prompt: 'what colour?', targets: ['onnx:/m'], settings })],
    ['send, compare', req('send', { prompt: 'x', targets: ['a', 'b'], settings: { ...settings, greedy: false, temperature: 1.2, topP: 0.5 } })],
    ['stop', req('stop', {})],
    ['regenerate', req('regenerate', { turnId: 't1', targets: ['a'], settings })],
    ['addImage dataUrl', req('addImage', { source: { kind: 'dataUrl', dataUrl: 'data:image/png;base64,AAAA', name: 'x.png' } })],
    ['addImage uri', req('addImage', { source: { kind: 'uri', uri: 'file:///w/a.png' } })],
    ['addImage url', req('addImage', { source: { kind: 'url', url: 'https://example.com/a.png' } })],
    ['addImage pick', req('addImage', { source: { kind: 'pick' } })],
    ['removeImage', req('removeImage', { imageId: 'img-1' })],
    ['copyMarkdown all', req('copyMarkdown', { turnId: null })],
    ['copyMarkdown turn', req('copyMarkdown', { turnId: 't1' })],
    ['addToDataset', req('addToDataset', { turnId: 't1', slot: 1, prompt: 'p', answer: 'a' })],
    ['action download', req('action', { action: { name: 'downloadModel', repo: 'HuggingFaceTB/SmolVLM-256M-Instruct' } })],
    ['action newChat', req('action', { action: { name: 'newChat' } })],
  ];
  for (const [name, message] of valid) it(`accepts ${name}`, () => assert.doesNotThrow(() => parseChatWebviewMessage(message)));

  const invalid: [string, unknown, RegExp][] = [
    ['a non-object', 'ready', /not an object/],
    ['an unknown notify', { kind: 'notify', type: 'hack', payload: {} }, /unknown notify:hack/],
    ['an unknown method', req('exec', {}), /unknown request:exec/],
    ['an extra field', req('stop', { now: true }), /params\.now: unexpected field/],
    ['a missing prompt', req('send', { targets: ['a'], settings }), /params\.prompt: expected string/],
    ['no targets', req('send', { prompt: 'x', targets: [], settings }), /at least one target/],
    ['three targets', req('send', { prompt: 'x', targets: ['a', 'b', 'c'], settings }), /longer than 2/],
    ['max tokens 0', req('send', { prompt: 'x', targets: ['a'], settings: { ...settings, maxNewTokens: 0 } }), /maxNewTokens: expected 1\.\.32768/],
    ['fractional max tokens', req('send', { prompt: 'x', targets: ['a'], settings: { ...settings, maxNewTokens: 2.5 } }), /expected integer/],
    ['temperature 5', req('send', { prompt: 'x', targets: ['a'], settings: { ...settings, temperature: 5 } }), /temperature: expected 0\.\.2/],
    ['NaN top-p', req('send', { prompt: 'x', targets: ['a'], settings: { ...settings, topP: Number.NaN } }), /topP: expected finite number/],
    ['a string id', { ...req('stop', {}), id: '1' }, /\.id: expected integer/],
    ['an image source with a path', req('addImage', { source: { kind: 'path', path: '/etc/passwd' } }), /expected dataUrl, uri, url or pick/],
    ['a uri source with extra fields', req('addImage', { source: { kind: 'uri', uri: 'file:///a.png', trusted: true } }), /unexpected field/],
    ['slot 2', req('addToDataset', { turnId: 't', slot: 2, prompt: 'p', answer: 'a' }), /slot: expected one of 0, 1/],
    ['an unknown action', req('action', { action: { name: 'runShell', cmd: 'rm -rf /' } }), /unknown action "runShell"/],
    ['a prompt over 100k chars', req('send', { prompt: 'x'.repeat(100_001), targets: ['a'], settings }), /longer than 100000/],
    ['a state without settings', { kind: 'notify', type: 'state', payload: { ...state, settings: undefined } }, /settings: expected object/],
  ];
  for (const [name, message, error] of invalid) it(`rejects ${name}`, () => assert.throws(() => parseChatWebviewMessage(message), error));

  it('isChatViewState accepts a saved state and refuses a damaged one', () => {
    assert.equal(isChatViewState(state), true);
    assert.equal(isChatViewState({ ...state, targets: ['a'] }), false);
    assert.equal(isChatViewState(null), false);
  });

  it('requestIdOf finds the id of a bad request so the host can still reply', () => {
    assert.equal(requestIdOf(req('send', { bogus: 1 }, 7)), 7);
    assert.equal(requestIdOf({ kind: 'notify', type: 'ready' }), null);
    assert.equal(requestIdOf({ kind: 'request', id: 'x' }), null);
  });
});
