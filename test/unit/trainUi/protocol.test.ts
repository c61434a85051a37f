import assert from 'node:assert/strict';
import { isTrainDraft, isTrainViewState, parseTrainWebviewMessage } from '../../../src/protocol/train';
import { initialDraft } from '../../../src/ui/training/formModel';

const draft = initialDraft('llava-lora', 'runs/a');
const notify = (type: string, payload: unknown): unknown => ({ kind: 'notify', type, payload });
const request = (method: string, params: unknown, id: unknown = 1): unknown => ({ kind: 'request', id, method, params });

describe('fine-tune webview messages', () => {
  const valid: [string, unknown][] = [
    ['ready', notify('ready', {})],
    ['draft', notify('draft', { draft })],
    ['reprobe', notify('reprobe', {})],
    ['runAction', notify('runAction', { action: 'stop' })],
    ['searchModels', request('searchModels', { query: 'llava' })],
    ['pick', request('pick', { target: 'datasetFolder' })],
    ['applyPreset', request('applyPreset', { name: 'qlora' })],
    ['applySuggestion', request('applySuggestion', { index: 2 })],
    ['saveConfig', request('saveConfig', {})],
    ['loadConfig', request('loadConfig', {})],
    ['copyCommand', request('copyCommand', { kind: 'python' })],
    ['launch', request('launch', { target: 'slurm' })],
  ];
  for (const [name, message] of valid) {
    it(`accepts a well-formed ${name}`, () => {
      assert.deepEqual(parseTrainWebviewMessage(message), message);
    });
  }

  const { model: _dropped, ...withoutModel } = draft;
  const malformed: [string, unknown, RegExp][] = [
    ['null', null, /not an object/],
    ['a string', 'ready', /not an object/],
    ['an unknown notify', notify('explode', {}), /unknown notify:explode/],
    ['an unknown request', request('rm', {}), /unknown request:rm/],
    ['no kind', { type: 'ready', payload: {} }, /unknown undefined:ready/],
    ['a draft missing a field', notify('draft', { draft: withoutModel }), /message\.payload\.draft\.model: expected string/],
    ['a draft with an extra field', notify('draft', { draft: { ...draft, evil: 'x' } }), /message\.payload\.draft\.evil: unexpected field/],
    ['a number for a text field', notify('draft', { draft: { ...draft, lr: 0.001 } }), /draft\.lr: expected string/],
    ['a string for a checkbox', notify('draft', { draft: { ...draft, bf16: 'yes' } }), /draft\.bf16: expected boolean/],
    ['an unknown eval mode', notify('draft', { draft: { ...draft, evalMode: 'sometimes' } }), /draft\.evalMode: expected one of/],
    ['a huge text field', notify('draft', { draft: { ...draft, model: 'x'.repeat(5000) } }), /draft\.model: string longer than 4096/],
    ['an extra payload field on ready', notify('ready', { x: 1 }), /payload\.x: unexpected field/],
    ['a fractional request id', request('loadConfig', {}, 1.5), /message\.id: expected integer/],
    ['a string request id', request('loadConfig', {}, '1'), /message\.id: expected integer/],
    ['a suggestion index below 0', request('applySuggestion', { index: -1 }), /expected 0\.\.20/],
    ['a suggestion index that is not a number', request('applySuggestion', { index: '0' }), /expected integer/],
    ['an unknown pick target', request('pick', { target: 'etcPasswd' }), /params\.target: expected one of/],
    ['a search query over 200 characters', request('searchModels', { query: 'q'.repeat(201) }), /string longer than 200/],
    ['an unknown launch target', request('launch', { target: 'remote' }), /params\.target: expected one of "local", "slurm"/],
    ['an unknown run action', notify('runAction', { action: 'delete' }), /payload\.action: expected one of/],
    ['a state notice (the webview keeps its state itself)', notify('state', { draft, closedSections: [] }), /unknown notify:state/],
  ];
  for (const [name, message, error] of malformed) {
    it(`rejects ${name}`, () => {
      assert.throws(() => parseTrainWebviewMessage(message), error);
    });
  }

  it('guards restored state', () => {
    assert.equal(isTrainDraft(draft), true);
    assert.equal(isTrainDraft({ ...draft, seed: 42 }), false);
    assert.equal(isTrainViewState({ draft, closedSections: [] }), true);
    assert.equal(isTrainViewState({ draft }), false);
    assert.equal(isTrainViewState(undefined), false);
    assert.equal(isTrainViewState({ draft, closedSections: Array(51).fill('x') }), false);
  });
});
