import assert from 'node:assert/strict';
import { binIndex, binTokenLengths, binWidthFor, MAX_BINS } from '../../../src/ui/dataset/histogram';
import { NO_TOKENS } from '../../../src/ui/dataset/rowStats';

describe('dataset preview: token-length histogram bins', () => {
  it('the max length is always a bin edge', () => {
    for (const [maxSeen, maxLength] of [[600, 2048], [5000, 2048], [100, 4096], [131_072, 2048], [10, 1], [0, 2048], [3000, 3000]]) {
      const width = binWidthFor(maxSeen!, maxLength!);
      const k = maxLength! / width;
      assert.ok(Math.abs(k - Math.round(k)) < 1e-9 || Math.abs(width / maxLength! - Math.round(width / maxLength!)) < 1e-9, `${maxSeen}/${maxLength}: width ${width}`);
    }
  });

  it('bins are (a, b]: a row of exactly max length is within the limit, one more token is over', () => {
    const width = binWidthFor(3000, 2048);
    const limitBin = binIndex(2048, width);
    assert.equal((limitBin + 1) * width, 2048, 'the bin holding 2048 ends at 2048');
    assert.equal(binIndex(2049, width), limitBin + 1);
    assert.equal(binIndex(0, width), 0);
    assert.equal(binIndex(1, width), 0);
  });

  it('counts every row with a length and leaves out rows without one', () => {
    const tokens = Uint32Array.from([0, 100, 2048, 2049, 4000, NO_TOKENS, NO_TOKENS]);
    const h = binTokenLengths(tokens, 2048);
    assert.equal(h.counts.reduce((a, b) => a + b, 0), 5);
    const over = h.counts.reduce((sum, c, i) => sum + ((i + 1) * h.binWidth > 2048 + 1e-9 ? c : 0), 0);
    assert.equal(over, 2, '2049 and 4000 are over 2048');
    assert.ok(h.counts.length * h.binWidth >= 4000, 'the range reaches the longest row');
  });

  it('the range shows the limit with room past it even when every row is short', () => {
    const h = binTokenLengths(Uint32Array.from([500, 600, 610]), 2048);
    assert.ok(h.counts.length * h.binWidth >= 2048 * 1.25);
    assert.ok(h.counts.length >= 20 && h.counts.length <= MAX_BINS, `${h.counts.length} bins`);
  });

  it('a long tail widens the bins instead of making thousands', () => {
    const h = binTokenLengths(Uint32Array.from([100, 2000, 1_000_000]), 2048);
    assert.ok(h.counts.length <= MAX_BINS, `${h.counts.length} bins`);
    assert.equal(h.binWidth % 2048, 0, 'still a multiple of the limit');
    assert.equal(h.counts.reduce((a, b) => a + b, 0), 3);
  });

  it('no rows: an empty chart of the limit, not an error', () => {
    const h = binTokenLengths(new Uint32Array(0), 2048);
    assert.ok(h.counts.every((c) => c === 0));
    assert.ok(h.counts.length > 0);
  });
});

describe('dataset preview: row stats', () => {
  it('records masks, counts, token figures and duplicate messages; grows past its first size', async () => {
    const { RowStats, codeBit } = await import('../../../src/ui/dataset/rowStats');
    const stats = new RowStats();
    for (let i = 0; i < 3000; i++) stats.record(i, i === 2500 ? [{ code: 'duplicate_id', message: "id 'a' was already used by row 1" }, { code: 'too_long', message: 'x' }] : [], i === 7 ? null : i, 1, 2);
    assert.deepEqual([stats.checked, stats.rowsWithProblems, stats.images, stats.turns, stats.counts.duplicate_id, stats.counts.too_long], [3000, 1, 3000, 6000, 1, 1]);
    assert.equal(stats.masks.get(2500), codeBit('duplicate_id') | codeBit('too_long'));
    assert.equal(stats.tokens.get(7), NO_TOKENS);
    assert.equal(stats.maxTokens, 2999);
    assert.equal(stats.overLimit(2990), 9);
    assert.ok(Math.abs(stats.meanTokens - (2999 * 3000 / 2 - 7) / 2999) < 1e-9);
    assert.equal(stats.duplicates.get(2500), "id 'a' was already used by row 1");
  });
});
