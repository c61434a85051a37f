import assert from 'node:assert/strict';
import { csvField, exportFileName, exportLabels, scalarsToCsv, scalarsToJson } from '../../../src/core/scalars/csv';

describe('scalars/csv', () => {
  const fields: [string, string][] = [
    ['plain', 'plain'],
    ['lr=1e-4,bs=8', '"lr=1e-4,bs=8"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r', '"cr\r"'],
    ['', ''],
  ];
  for (const [input, expected] of fields) {
    it(`csvField(${JSON.stringify(input)})`, () => assert.equal(csvField(input), expected));
  }

  it('writes run,tag,step,wall_time,value rows for every run', () => {
    const csv = scalarsToCsv('train/loss', [
      { run: 'a,"b"', step: [1, 2], wall: [1700000000.25, 1700000001.5], value: [0.5, NaN] },
      { run: 'c', step: [3], wall: [1700000002], value: [-Infinity] },
    ]);
    assert.equal(csv, [
      'run,tag,step,wall_time,value',
      '"a,""b""",train/loss,1,1700000000.25,0.5',
      '"a,""b""",train/loss,2,1700000001.5,nan',
      'c,train/loss,3,1700000002,-inf',
      '',
    ].join('\n'));
  });

  it('keeps full precision', () => {
    const csv = scalarsToCsv('t', [{ run: 'r', step: [1], wall: [1], value: [0.1 + 0.2] }]);
    assert.match(csv, /,0\.30000000000000004\n$/);
  });

  it('writes {tag, runs: {run: {step, wall, value}}} JSON with null for non-finite values', () => {
    const json = JSON.parse(scalarsToJson('eval/loss', [{ run: 'r1', step: Float64Array.from([5]), wall: [10], value: [Infinity] }, { run: 'r,2', step: [], wall: [], value: [] }]));
    assert.deepEqual(json, { tag: 'eval/loss', runs: { r1: { step: [5], wall: [10], value: [null] }, 'r,2': { step: [], wall: [], value: [] } } });
  });

  const names: [string, string][] = [
    ['train/loss', 'train_loss.csv'],
    ['a\\b:c*?"<>|', 'a_b_c______.csv'],
    ['..hidden', '_hidden.csv'],
    ['', 'scalars.csv'],
  ];
  for (const [tag, expected] of names) it(`exportFileName(${JSON.stringify(tag)})`, () => assert.equal(exportFileName(tag, 'csv'), expected));

  it('labels runs by name, by id where names collide', () => {
    const labels = exportLabels([{ id: '/a/run', name: 'run' }, { id: '/b/run', name: 'run' }, { id: '/c/x', name: 'x' }]);
    assert.deepEqual([...labels.values()], ['/a/run', '/b/run', 'x']);
  });
});
