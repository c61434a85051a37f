import assert from 'node:assert/strict';
import { forceDue, stopFields } from '../../../src/core/training/stopControl';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

describe('stop deadlines in run.json', () => {
  const fields: [string, { stopRequestedAt: string | null; stopGraceMs: number | null }, number, number, { stopRequestedAt: string; stopGraceMs: number }][] = [
    ['a first stop: now + grace', { stopRequestedAt: null, stopGraceMs: null }, T0, 120_000, { stopRequestedAt: iso(T0), stopGraceMs: 120_000 }],
    ['a second, impatient stop (Ctrl-C twice): the deadline comes closer', { stopRequestedAt: iso(T0), stopGraceMs: 120_000 }, T0 + 10_000, 0, { stopRequestedAt: iso(T0), stopGraceMs: 10_000 }],
    ['a second, patient stop: the first deadline stands', { stopRequestedAt: iso(T0), stopGraceMs: 60_000 }, T0 + 10_000, 600_000, { stopRequestedAt: iso(T0), stopGraceMs: 60_000 }],
    ['a stop recorded by an older version (no grace): this one\'s', { stopRequestedAt: iso(T0), stopGraceMs: null }, T0 + 5_000, 30_000, { stopRequestedAt: iso(T0), stopGraceMs: 35_000 }],
  ];
  for (const [name, record, now, grace, expected] of fields) {
    it(name, () => {
      const { deadline, ...written } = stopFields(record, now, grace);
      assert.deepEqual(written, expected);
      assert.equal(deadline, Date.parse(expected.stopRequestedAt) + expected.stopGraceMs);
    });
  }

  const due: [string, { stopRequestedAt: string | null; stopGraceMs: number | null; stopForcedAt: string | null }, number, boolean][] = [
    ['no stop asked', { stopRequestedAt: null, stopGraceMs: null, stopForcedAt: null }, T0, false],
    ['within the grace period', { stopRequestedAt: iso(T0), stopGraceMs: 60_000, stopForcedAt: null }, T0 + 59_999, false],
    ['at the deadline', { stopRequestedAt: iso(T0), stopGraceMs: 60_000, stopForcedAt: null }, T0 + 60_000, true],
    ['already forced', { stopRequestedAt: iso(T0), stopGraceMs: 60_000, stopForcedAt: iso(T0 + 60_000) }, T0 + 90_000, false],
    ['no grace recorded: the fallback (120 s)', { stopRequestedAt: iso(T0), stopGraceMs: null, stopForcedAt: null }, T0 + 119_000, false],
    ['no grace recorded, past the fallback', { stopRequestedAt: iso(T0), stopGraceMs: null, stopForcedAt: null }, T0 + 120_000, true],
  ];
  for (const [name, record, now, expected] of due) it(`SIGKILL due: ${name} → ${expected}`, () => assert.equal(forceDue(record, now, 120_000), expected));
});
