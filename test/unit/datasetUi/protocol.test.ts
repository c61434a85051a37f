import assert from 'node:assert/strict';
import { PROBLEM_CODES } from '../../../src/core/datasets/types';
import { ISSUE_CODES, isDatasetViewState, MAX_ROWS_PER_REQUEST, parseDatasetWebviewMessage } from '../../../src/protocol/dataset';

const req = (method: string, params: unknown, id: unknown = 1) => ({ kind: 'request', id, method, params });
const note = (type: string, payload: unknown) => ({ kind: 'notify', type, payload });
const filter = { problemsOnly: true, codes: ['image_missing'], query: 'cat' };
const state = { path: '/d/train.jsonl', split: null, filter, topRow: 10, modelDir: null, maxLength: 4096, imageRoot: '/d/images' };

describe('dataset preview: inbound message validation', () => {
  it('the protocol knows exactly the core problem codes', () => {
    assert.deepEqual([...ISSUE_CODES], [...PROBLEM_CODES]);
  });

  const valid: [string, unknown][] = [
    ['ready', note('ready', {})],
    ['state', note('state', state)],
    ['visible', note('visible', { viewId: 2, start: 0, end: 12 })],
    ['rows', req('rows', { viewId: 1, start: 50, end: 100 })],
    ['rows, empty range', req('rows', { viewId: 1, start: 50, end: 50 })],
    ['setFilter', req('setFilter', filter)],
    ['locate', req('locate', { viewId: 1, row: 665_297 })],
    ['thumbnail', req('thumbnail', { row: 3, image: 0 })],
    ['openImage', req('openImage', { row: 3, image: 2 })],
    ['openLine', req('openLine', { row: 0 })],
    ['cancelIndex', req('cancelIndex', {})],
    ['setSplit', req('setSplit', { split: 'test' })],
    ['chooseModel', req('chooseModel', { mode: 'estimate' })],
    ['setMaxLength', req('setMaxLength', { value: 8192 })],
    ['chooseImageRoot', req('chooseImageRoot', {})],
  ];
  for (const [name, message] of valid) {
    it(`accepts ${name}`, () => assert.deepEqual(parseDatasetWebviewMessage(message), message));
  }

  const malformed: [string, unknown, RegExp][] = [
    ['null', null, /not an object/],
    ['a string', 'ready', /not an object/],
    ['an array', [1, 2], /not an object/],
    ['unknown kind', { kind: 'reply', id: 1 }, /unknown kind/],
    ['unknown notify', note('exec', {}), /unknown notify:exec/],
    ['unknown request', req('deleteFile', { path: '/' }), /unknown request:deleteFile/],
    ['prototype key as method', req('constructor', {}), /unknown request:constructor/],
    ['prototype key as type', note('__proto__', {}), /unknown notify/],
    ['missing id', { kind: 'request', method: 'rows', params: { viewId: 1, start: 0, end: 1 } }, /message\.id/],
    ['string id', req('openLine', { row: 1 }, '1'), /message\.id/],
    ['extra envelope field', { ...req('openLine', { row: 1 }), extra: 1 }, /message\.extra: unexpected field/],
    ['extra param', req('openLine', { row: 1, path: '/etc/passwd' }), /params\.path: unexpected field/],
    ['negative row', req('openLine', { row: -1 }), /params\.row/],
    ['fractional row', req('thumbnail', { row: 1.5, image: 0 }), /params\.row/],
    ['NaN start', req('rows', { viewId: 1, start: Number.NaN, end: 1 }), /params\.start/],
    ['end before start', req('rows', { viewId: 1, start: 10, end: 5 }), /end 5 is before start 10/],
    ['too many rows', req('rows', { viewId: 1, start: 0, end: MAX_ROWS_PER_REQUEST + 1 }), /more than 500 rows/],
    ['unknown problem code', req('setFilter', { ...filter, codes: ['rm_rf'] }), /codes\[0\]/],
    ['too many codes', req('setFilter', { ...filter, codes: [...ISSUE_CODES, 'too_long'] }), /array longer than 12/],
    ['huge query', req('setFilter', { ...filter, query: 'x'.repeat(1001) }), /string longer than 1000/],
    ['missing query', req('setFilter', { problemsOnly: true, codes: [] }), /params\.query/],
    ['bad model mode', req('chooseModel', { mode: 'download' }), /params\.mode/],
    ['zero max length', req('setMaxLength', { value: 0 }), /positive/],
    ['string max length', req('setMaxLength', { value: '2048' }), /params\.value/],
    ['state with a bad topRow', note('state', { ...state, topRow: -3 }), /payload\.topRow/],
    ['state without a path', note('state', { ...state, path: undefined }), /payload\.path/],
    ['visible with a bad range', note('visible', { viewId: 1, start: 5, end: 1 }), /before start/],
    ['ready with a payload', note('ready', { x: 1 }), /payload\.x: unexpected field/],
  ];
  for (const [name, message, error] of malformed) {
    it(`rejects ${name}`, () => assert.throws(() => parseDatasetWebviewMessage(message), error));
  }

  it('isDatasetViewState checks saved state before use', () => {
    assert.equal(isDatasetViewState(state), true);
    assert.equal(isDatasetViewState({ ...state, filter: { ...filter, codes: ['x'] } }), false);
    assert.equal(isDatasetViewState(undefined), false);
    assert.equal(isDatasetViewState({ runIds: [] }), false);
  });
});
