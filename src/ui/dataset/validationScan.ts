/**
 * The preview's full pass over a dataset: every row's problems (the core's row validator) and token
 * length (the same counter the too_long check uses), recorded into RowStats batch by batch while the
 * index is still growing. Runs behind page requests: it yields to the event loop after each batch.
 */
import { createRowValidator, imageTokensFor, type Dataset, type DatasetRow, type Problem, type RowValidator } from '../../core/datasets/api';
import { estimateCounter, tokenizerCounter, type TokenCounter } from '../../core/datasets/validate/tokenCounter';
import type { IssueCode } from '../../protocol/dataset';
import { RowStats } from './rowStats';

export interface ScanSettings {
  modelDir: string | null;
  maxLength: number;
  /** `header` keeps the scan of a 665k-row dataset in seconds; thumbnails decode what is on screen. */
  imageCheck?: 'decode' | 'header' | 'none';
  batchRows?: number;
}

export interface Checker {
  readonly validator: RowValidator;
  readonly counter: TokenCounter;
  /** Problems of one row as the page shows them (duplicate ids come from the scan). */
  problems(row: DatasetRow, stats: RowStats): Promise<Problem[]>;
  /** Token length, or null for a row with no turns. */
  tokens(row: DatasetRow): number | null;
}

/** The validator plus the token counter, built once per (dataset, model, max length). */
export async function createChecker(dataset: Pick<Dataset, 'imageRoot'>, settings: ScanSettings, log: (message: string) => void): Promise<Checker> {
  const modelDir = settings.modelDir ?? undefined;
  const validator = await createRowValidator(dataset, { modelDir, maxLength: settings.maxLength, imageCheck: settings.imageCheck ?? 'header' });
  const counter = modelDir ? await tokenizerCounter(modelDir, imageTokensFor(modelDir).tokens) : estimateCounter(imageTokensFor(undefined).tokens, true);
  let failures = 0;
  return {
    validator,
    counter,
    async problems(row, stats) {
      const found = await validator.check(row);
      const duplicate = stats.duplicates.get(row.index);
      return duplicate ? [...found, { row: row.index, line: row.line, code: 'duplicate_id', message: duplicate }] : found;
    },
    tokens(row) {
      if (row.messages.length === 0) return null;
      try {
        return counter.count(row);
      } catch (error) {
        if (failures++ < 3) log(`dataset preview: counting tokens of row ${row.index} failed: ${(error as Error).message}`);
        return null;
      }
    },
  };
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Checks rows from 0 until the index ends (or fails, or is cancelled: the rows it found are still
 * checked). `onBatch` runs after each batch. Rejects only when `signal` aborts.
 */
export async function scanRows(dataset: Dataset, checker: Checker, stats: RowStats, options: { signal: AbortSignal; batchRows?: number; onBatch(): void }): Promise<void> {
  const batchRows = options.batchRows ?? 256;
  const seenIds = new Map<string, number>();
  let from = 0;
  for (;;) {
    options.signal.throwIfAborted();
    const available = await dataset.waitForRows(from + batchRows);
    options.signal.throwIfAborted();
    if (available <= from) {
      if (!dataset.complete) {
        try {
          await dataset.done;
        } catch {
          // The index failed or was cancelled: the rows it found are all there is.
        }
        if (dataset.rowCount > from) continue;
      }
      return;
    }
    const rows = await dataset.rows(from, Math.min(available, from + batchRows));
    if (rows.length === 0) return;
    const results = rows.map((row) => checker.validator.check(row, seenIds));
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k]!;
      const result = results[k]!;
      const problems = result instanceof Promise ? await result : result;
      stats.record(row.index, problems as { code: IssueCode; message: string }[], checker.tokens(row), row.images.length, row.messages.length);
    }
    from += rows.length;
    options.onBatch();
    await yieldToEventLoop();
  }
}
