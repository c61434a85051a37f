/**
 * Token-length histogram bins. The max length is always a bin edge, so a bar is either wholly within
 * the limit or wholly over it; bins are (a, b] because a row of exactly max length still fits.
 */
import type { Histogram } from '../../protocol/dataset';
import { NO_TOKENS } from './rowStats';

export const TARGET_BINS = 48;
export const MAX_BINS = 120;

/** Bin width for lengths up to `maxSeen` against `maxLength`: maxLength/k (or a multiple of maxLength for long tails). */
export function binWidthFor(maxSeen: number, maxLength: number, target = TARGET_BINS, most = MAX_BINS): number {
  const limit = Math.max(1, maxLength);
  const upper = Math.max(maxSeen, limit * 1.25);
  let k = Math.max(1, Math.round(limit / (upper / target)));
  // Never more than `most` bins: a long tail widens the bins instead.
  while (k > 1 && Math.ceil(upper / (limit / k)) > most) k--;
  if (Math.ceil(upper / (limit / k)) <= most) return limit / k;
  return Math.ceil(upper / (most * limit)) * limit;
}

export function binIndex(tokens: number, width: number): number {
  return tokens <= 0 ? 0 : Math.ceil(tokens / width - 1e-9) - 1;
}

/** Bins the checked rows' lengths (rows without a length are left out). */
export function binTokenLengths(tokens: ArrayLike<number>, maxLength: number, target = TARGET_BINS): Histogram {
  let maxSeen = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t !== NO_TOKENS && t > maxSeen) maxSeen = t;
  }
  const binWidth = binWidthFor(maxSeen, maxLength, target);
  const bins = Math.max(binIndex(Math.max(maxSeen, maxLength * 1.25), binWidth) + 1, 1);
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === NO_TOKENS) continue;
    counts[binIndex(t, binWidth)]!++;
  }
  return { binWidth, counts };
}
