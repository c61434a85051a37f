/**
 * Validation shared by the preview, the CLI and the training launcher: streams over every row (while
 * a big JSON file is still being indexed), never stops at a bad row, and reports each problem with
 * its row, line and a stable code. A failure of the file as a whole (truncated JSON, not an array)
 * rejects instead: nothing about its rows can be trusted then.
 */
import { availableParallelism } from 'node:os';
import { JsonDataset } from '../readers/jsonDataset';
import { NOT_JSON, RawRows } from '../readers/rawRows';
import type { Dataset, DatasetRow, Problem, ProblemCode, ValidateOptions, ValidationReport } from '../types';
import { PROBLEM_CODES } from '../types';
import { IdIndex, type SeenIds } from './idIndex';
import { ImageChecker, type ImageFinding } from './imageChecker';
import { imageTokensFor } from './imageTokens';
import { ImageWait, quickChecker, type QuickCheck, type QuickResult, type QuickTally } from './quickCheck';
import { emptyTurns, imageTokenMismatch, roleOrder } from './rowChecks';
import { DEFAULT_MAX_LENGTH, estimateCounter, tokenizerCounter, type TokenCounter } from './tokenCounter';

export type { SeenIds } from './idIndex';

export interface RowValidator {
  readonly tokenBasis: string;
  readonly imageTokensPerImage: number;
  readonly maxLength: number;
  readonly images: ImageChecker;
  /** Problems of one row, in a stable order (a promise only while new images are checked). Duplicate ids need `seenIds`. */
  check(row: DatasetRow, seenIds?: SeenIds): Problem[] | Promise<Problem[]>;
  /** The fast path for rows read as JSON (null with a tokenizer: it needs the turns). */
  readonly quick: QuickCheck | null;
}

function push(problems: Problem[], row: Pick<DatasetRow, 'index' | 'line'>, finding: { code: ProblemCode; message: string } | null): void {
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
  const check = (row: DatasetRow, seenIds?: SeenIds): Problem[] | Promise<Problem[]> => {
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
    // Image findings in image order, whichever were known already (an order that hung on timing was
    // nondeterministic across runs).
    let findings: (ImageFinding | null | Promise<ImageFinding | null>)[] | null = null;
    let pending = false;
    for (let k = 0; k < row.images.length; k++) {
      const finding = images.check(row.images[k]!, k);
      if (finding === null && !findings) continue;
      findings ??= new Array<null>(k).fill(null);
      findings.push(finding);
      if (finding instanceof Promise) pending = true;
    }
    if (!pending) {
      for (const finding of findings ?? []) push(problems, row, finding as ImageFinding | null);
      return tokens(row, problems);
    }
    // too_long is found now, so rows waiting for images hold a few problems, not the whole row.
    const late = tokens(row, []);
    const where = { index: row.index, line: row.line };
    return Promise.all(findings!).then((found) => {
      for (const finding of found) push(problems, where, finding);
      for (const problem of late) problems.push(problem);
      return problems;
    });
  };
  const quick = options.modelDir ? null : quickChecker({ images, imageTokens: imageTokens.tokens, maxLength });
  return { tokenBasis: counter.basis, imageTokensPerImage: imageTokens.tokens, maxLength, images, check, quick };
}

export async function validateDataset(dataset: Dataset, options: ValidateOptions = {}): Promise<ValidationReport> {
  const validator = await createRowValidator(dataset, options);
  const batchRows = options.batchRows ?? 256; // small batches die young: the scavenger collects them cheaply
  const problems: Problem[] = [];
  const counts = Object.fromEntries(PROBLEM_CODES.map((code) => [code, 0])) as Record<ProblemCode, number>;
  const seenIds = new IdIndex();
  const tally: QuickTally = { images: 0 };
  let rows = 0;
  let rowsWithProblems = 0;
  // JSON rows are parsed here one at a time and most never become a DatasetRow (see quickCheck).
  const raw = dataset instanceof JsonDataset ? dataset : null;
  // The next page is read while this one is checked, so file reads never leave the CPU idle. JSON
  // pages are several batches (one read each: a read waits behind image decodes in libuv's pool).
  const pageRows = raw ? Math.max(batchRows, PAGE_ROWS) : batchRows;
  // Two page buffers, taken in turn: a page is parsed before the read after next is started.
  const scratchBytes = raw ? Math.min(PAGE_BYTES, raw.totalBytes) : 0;
  const scratch = [Buffer.allocUnsafe(scratchBytes), Buffer.allocUnsafe(scratchBytes)];
  let reads = 0;
  const load = async (from: number): Promise<RawRows | DatasetRow[] | null> => {
    // No await before the read when the rows are indexed: the read must start before this page is parsed.
    const available = dataset.rowCount >= from + batchRows ? dataset.rowCount : await dataset.waitForRows(from + batchRows);
    if (available > from) {
      const to = Math.min(available, from + pageRows);
      return raw ? raw.rawRows(from, to, scratch[reads++ % 2]) : dataset.rows(from, to);
    }
    if (!dataset.complete) await dataset.done; // rethrows the index failure, if that is why no more rows come
    return dataset.rowCount > from ? load(from) : null;
  };
  // Rows whose images are still being checked wait here, in order, while later batches are parsed:
  // the first batches of a dataset would otherwise sit idle behind a burst of first-time decodes.
  // A waiting row holds its few problems, never the row itself.
  const waiting: WaitingBatch[] = [];
  let waitingRows = 0;
  const merge = async (): Promise<void> => {
    const batch = waiting.shift()!;
    waitingRows -= batch.results.length;
    for (const result of batch.results) {
      const settled = result instanceof ImageWait ? result.settle(validator.images) : result;
      const found = settled instanceof Promise ? await settled : settled;
      if (found.length > 0) rowsWithProblems++;
      for (const problem of found) {
        problems.push(problem);
        counts[problem.code]++;
      }
    }
    rows += batch.results.length;
    options.onProgress?.({ rowsChecked: rows, totalRows: dataset.complete ? dataset.rowCount : Math.max(rows, dataset.rowCount), problems: problems.length });
  };
  // Decodes get the cores the parsing does not need (and leave fs reads a libuv thread) while there
  // are rows to parse, all of `imageConcurrency` while the parsing waits for them.
  const images = validator.images;
  const sharing = Math.min(images.concurrency, availableParallelism() - 1, (Number(process.env.UV_THREADPOOL_SIZE) || 4) - 1);
  images.setParallel(sharing);
  let next = load(0);
  let loaded = 0;
  for (;;) {
    const page = await next;
    const size = page === null ? 0 : page instanceof RawRows ? page.count : page.length;
    if (page === null || size === 0) break;
    loaded += size;
    next = load(loaded);
    next.catch(() => undefined); // surfaced when awaited
    for (let first = 0; first < size; first += batchRows) {
      options.signal?.throwIfAborted();
      const last = Math.min(size, first + batchRows);
      const entry = new WaitingBatch(images);
      if (page instanceof RawRows) {
        const quick = page.context.mapping ? null : validator.quick;
        for (let k = first; k < last; k++) {
          const value = page.parse(k);
          const found = quick && value !== NOT_JSON ? quick(value, page.start + k, page.line(k), page.context.imageRoot, seenIds, tally) : null;
          entry.add(found ?? checkRow(validator, page.row(k, value), seenIds, tally));
        }
      } else {
        for (let k = first; k < last; k++) entry.add(checkRow(validator, page[k]!, seenIds, tally));
      }
      waiting.push(entry);
      waitingRows += last - first;
      while (waiting.length > 0 && (waiting[0]!.pending === 0 || waitingRows > MAX_WAITING_ROWS || images.backlog > MAX_IMAGE_BACKLOG)) {
        if (waiting[0]!.pending > 0) images.setParallel(images.concurrency);
        await merge();
      }
      images.setParallel(sharing);
      // Image checks are chains of libuv jobs (stat, realpath, header, decode) whose next step waits
      // for a turn of this thread: a turn per batch, not per page, keeps them moving.
      if (last < size) await turn();
    }
  }
  images.setParallel(images.concurrency);
  while (waiting.length > 0) await merge();
  await dataset.done;
  return {
    format: dataset.format, rows, images: tally.images, distinctImageFiles: validator.images.distinctFiles, problems, counts,
    rowsOk: rows - rowsWithProblems, rowsWithProblems, tokenBasis: validator.tokenBasis,
    imageTokensPerImage: validator.imageTokensPerImage, maxLength: validator.maxLength,
  };
}

/** Rows per read of a JSON file (≈ 3 MB of LLaVA rows), and the page buffers (a bigger page gets its own). */
const PAGE_ROWS = 2048;
const PAGE_BYTES = 8 << 20;
/** Rows parsed ahead of the oldest row still waiting for an image check (results are a few problems each). */
const MAX_WAITING_ROWS = 1 << 17;
/** Image checks queued behind the running ones: past this, parsing further ahead only queues more. */
const MAX_IMAGE_BACKLOG = 256;

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function checkRow(validator: RowValidator, row: DatasetRow, seenIds: SeenIds, tally: QuickTally): QuickResult {
  tally.images += row.images.length;
  return validator.check(row, seenIds);
}

/** One batch's results in row order; `pending` counts the checks it still waits for. */
class WaitingBatch {
  readonly results: (QuickResult | ImageWait)[] = [];
  pending = 0;
  private readonly awaited = new Set<Promise<unknown>>();

  constructor(private readonly images: ImageChecker) {}

  add(result: QuickResult | ImageWait): void {
    const k = this.results.push(result) - 1;
    if (result instanceof ImageWait) {
      result.inFlight(this.images, this.wait);
    } else if (result instanceof Promise) {
      this.pending++;
      void result.then((found) => { this.results[k] = found; this.pending--; }, () => undefined);
    }
  }

  /** Rows sharing an image wait on one promise: counted once per batch. */
  private readonly wait = (check: Promise<unknown>): void => {
    if (this.awaited.has(check)) return;
    this.awaited.add(check);
    this.pending++;
    void check.then(this.done, this.done);
  };

  private readonly done = (): void => {
    this.pending--;
  };
}
