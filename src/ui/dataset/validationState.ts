/** The header's validation summary from the scan's row stats (counts, histogram, token figures). */
import type { ValidationState } from '../../protocol/dataset';
import { binTokenLengths } from './histogram';
import type { RowStats } from './rowStats';

export interface ScanStatus {
  totalRows: number;
  done: boolean;
  error: string | null;
  modelDir: string | null;
  maxLength: number;
}

export function validationStateOf(stats: RowStats, scan: ScanStatus, basis: { tokenBasis: string; imageTokensPerImage: number } | null): ValidationState {
  const { maxLength } = scan;
  return {
    rowsChecked: stats.checked, totalRows: scan.totalRows, done: scan.done, error: scan.error,
    rowsWithProblems: stats.rowsWithProblems, images: stats.images, turns: stats.turns, counts: { ...stats.counts },
    tokenBasis: basis?.tokenBasis ?? '', imageTokensPerImage: basis?.imageTokensPerImage ?? 0, maxLength, modelDir: scan.modelDir,
    histogram: binTokenLengths(stats.tokens.view(), maxLength), maxTokens: stats.maxTokens, meanTokens: stats.meanTokens, overLimit: stats.overLimit(maxLength),
  };
}
