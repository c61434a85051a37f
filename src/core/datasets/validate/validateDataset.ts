/**
 * Validation shared by the preview, the CLI and the training launcher: streams over every row (while
 * a big JSON file is still being indexed), never stops at a bad row, and reports each problem with
 * its row, line and a stable code. A failure of the file as a whole (truncated JSON, not an array)
 * rejects instead: nothing about its rows can be trusted then.
 */
import type { Dataset, DatasetRow, Problem, ProblemCode, ValidateOptions, ValidationReport } from '../types';
import { PROBLEM_CODES } from '../types';
import { ImageChecker, type ImageFinding } from './imageChecker';
import { imageTokensFor } from './imageTokens';
import { emptyTurns, imageTokenMismatch, roleOrder } from './rowChecks';
import { DEFAULT_MAX_LENGTH, estimateCounter, tokenizerCounter, type TokenCounter } from './tokenCounter';

export interface RowValidator {
  readonly tokenBasis: string;
  readonly imageTokensPerImage: number;
  readonly maxLength: number;
  readonly images: ImageChecker;
  /** Problems of one row, in a stable order (a promise only while new images are checked). Duplicate ids need `seenIds`. */
  check(row: DatasetRow, seenIds?: Map<string, number>): Problem[] | Promise<Problem[]>;
}

function push(problems: Problem[], row: DatasetRow, finding: { code: ProblemCode; message: string } | null): void {
  if (finding) problems.push({ row: row.index, line: row.line, code: finding.code, message: finding.message });
}

/** A row the reader could not make turns of: only its images are worth checking. */
function isStructural(row: DatasetRow): boolean {
  if (row.messages.length > 0) return false;
  for (const p of row.problems) if (p.code === 'missing_field') return true;
  return false;
}

/** A validator for rows of `dataset`; the preview uses it for the visible page, validateDataset for all rows. */
export async function createRowValidator(dataset: Pick<Dataset, 'imageRoot'>, options: ValidateOptions = {}): Promise<RowValidator> {
  const imageTokens = imageTokensFor(options.modelDir);
  const counter: TokenCounter = options.modelDir
    ? await tokenizerCounter(options.modelDir, imageTokens.tokens)
    : estimateCounter(imageTokens.tokens, true);
  const maxLength = options.maxLength ?? counter.modelMaxLength ?? DEFAULT_MAX_LENGTH;
  const maxSource = options.maxLength ? '--max-length' : counter.modelMaxLength ? 'model_max_length' : 'default';
  const images = new ImageChecker({
    imageRoot: dataset.imageRoot, maxPixels: options.maxPixels, mode: options.imageCheck ?? 'decode', concurrency: options.imageConcurrency,
  });

  const tokens = (row: DatasetRow, problems: Problem[]): Problem[] => {
    if (isStructural(row)) return problems;
    const count = counter.count(row);
    if (count > maxLength) {
      push(problems, row, { code: 'too_long', message: `${counter.explain(row, count)} > max length ${maxLength} (${maxSource}); truncation would cut image tokens: drop or shorten this row` });
    }
    return problems;
  };
  // Synchronous unless an image is being checked for the first time: most rows of a big dataset
  // reuse images already seen, and a promise per row was a third of the time.
  const check = (row: DatasetRow, seenIds?: Map<string, number>): Problem[] | Promise<Problem[]> => {
    const problems: Problem[] = row.problems.length > 0 ? row.problems.slice() : [];
    for (const p of row.problems) if (p.code === 'invalid_json') return problems;
    if (row.id !== null && seenIds) {
      const first = seenIds.get(row.id);
      if (first === undefined) seenIds.set(row.id, row.index);
      else push(problems, row, { code: 'duplicate_id', message: `id '${row.id}' was already used by row ${first}` });
    }
    if (!isStructural(row)) {
      push(problems, row, roleOrder(row));
      for (const finding of emptyTurns(row)) push(problems, row, finding);
      push(problems, row, imageTokenMismatch(row));
    }
    let pending: Promise<ImageFinding | null>[] | null = null;
    for (let k = 0; k < row.images.length; k++) {
      const finding = images.check(row.images[k]!, k);
      if (finding instanceof Promise) (pending ??= []).push(finding);
      else push(problems, row, finding);
    }
    if (!pending) return tokens(row, problems);
    return Promise.all(pending).then((found) => {
      for (const finding of found) push(problems, row, finding);
      return tokens(row, problems);
    });
  };
  return { tokenBasis: counter.basis, imageTokensPerImage: imageTokens.tokens, maxLength, images, check };
}

export async function validateDataset(dataset: Dataset, options: ValidateOptions = {}): Promise<ValidationReport> {
  const validator = await createRowValidator(dataset, options);
  const batchRows = options.batchRows ?? 256; // small batches die young: the scavenger collects them cheaply
  const problems: Problem[] = [];
  const counts = Object.fromEntries(PROBLEM_CODES.map((code) => [code, 0])) as Record<ProblemCode, number>;
  const seenIds = new Map<string, number>();
  let rows = 0;
  let images = 0;
  let rowsWithProblems = 0;
  const MAX_WAITING_BATCHES = 16;
  // The next batch is read while this one is checked, so file reads never leave the CPU idle.
  const load = async (from: number): Promise<DatasetRow[] | null> => {
    const available = await dataset.waitForRows(from + batchRows);
    if (available > from) return dataset.rows(from, Math.min(available, from + batchRows));
    if (!dataset.complete) await dataset.done; // rethrows the index failure, if that is why no more rows come
    return dataset.rowCount > from ? load(from) : null;
  };
  // Rows whose images are still being decoded wait here, in order, while later batches are parsed:
  // the first batches of a dataset would otherwise sit idle behind a burst of first-time decodes.
  interface Waiting { rows: number; images: number; results: (Problem[] | Promise<Problem[]>)[]; pending: number }
  const waiting: Waiting[] = [];
  const merge = async (): Promise<void> => {
    const batch = waiting.shift()!;
    for (const result of batch.results) {
      const found = result instanceof Promise ? await result : result;
      if (found.length > 0) rowsWithProblems++;
      for (const problem of found) {
        problems.push(problem);
        counts[problem.code]++;
      }
    }
    rows += batch.rows;
    images += batch.images;
    options.onProgress?.({ rowsChecked: rows, totalRows: dataset.complete ? dataset.rowCount : Math.max(rows, dataset.rowCount), problems: problems.length });
  };
  let next = load(0);
  let loaded = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const batch = await next;
    if (!batch || batch.length === 0) break;
    loaded += batch.length;
    next = load(loaded);
    next.catch(() => undefined); // surfaced when awaited
    const entry: Waiting = { rows: batch.length, images: 0, results: [], pending: 0 };
    for (const row of batch) {
      const result = validator.check(row, seenIds);
      const k = entry.results.push(result) - 1;
      entry.images += row.images.length;
      if (result instanceof Promise) {
        entry.pending++;
        void result.then((found) => { entry.results[k] = found; entry.pending--; }, () => undefined);
      }
    }
    waiting.push(entry);
    while (waiting.length > 0 && (waiting.length > MAX_WAITING_BATCHES || waiting[0]!.pending === 0)) await merge();
  }
  while (waiting.length > 0) await merge();
  await dataset.done;
  return {
    format: dataset.format, rows, images, distinctImageFiles: validator.images.distinctFiles, problems, counts,
    rowsOk: rows - rowsWithProblems, rowsWithProblems, tokenBasis: validator.tokenBasis,
    imageTokensPerImage: validator.imageTokensPerImage, maxLength: validator.maxLength,
  };
}
