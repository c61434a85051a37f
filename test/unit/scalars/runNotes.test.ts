import assert from 'node:assert/strict';
import { damageNote, emptyReason } from '../../../src/core/scalars/runNotes';

describe('scalars/runNotes', () => {
  const cases: { name: string; run: { origin: 'events' | 'trainer_state' | 'none' | 'pending'; error: string | null; eventFiles: number }; tags: number; expected: RegExp | null }[] = [
    { name: 'has scalars', run: { origin: 'events', error: null, eventFiles: 1 }, tags: 3, expected: null },
    { name: 'still loading', run: { origin: 'pending', error: null, eventFiles: 1 }, tags: 0, expected: null },
    { name: 'read failed (the error is shown instead)', run: { origin: 'none', error: 'EACCES', eventFiles: 1 }, tags: 0, expected: null },
    { name: 'one graph-only event file', run: { origin: 'none', error: null, eventFiles: 1 }, tags: 0, expected: /^graph-only event file: no scalar summaries$/ },
    { name: 'several files without scalars', run: { origin: 'none', error: null, eventFiles: 3 }, tags: 0, expected: /^3 event files, none with scalar summaries/ },
    { name: 'trainer_state without log_history', run: { origin: 'trainer_state', error: null, eventFiles: 0 }, tags: 0, expected: /log_history entries yet/ },
    { name: 'nothing logged yet', run: { origin: 'none', error: null, eventFiles: 0 }, tags: 0, expected: /logging_steps/ },
  ];
  for (const c of cases) {
    it(`emptyReason: ${c.name}`, () => {
      const got = emptyReason(c.run, c.tags);
      if (c.expected === null) assert.equal(got, null);
      else assert.match(got ?? '', c.expected);
    });
  }

  it('damageNote names the file, the byte and the reason', () => {
    assert.equal(
      damageNote({ file: '/r/runs/x/events.out.tfevents.1.host.1.0', offset: 123456, reason: 'data crc mismatch' }),
      'events.out.tfevents.1.host.1.0 damaged at byte 123456: data crc mismatch — points before it are shown',
    );
  });
});
