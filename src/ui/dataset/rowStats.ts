/**
 * What the full scan learns about every row, kept compactly so 665k rows cost a few MB: a bit mask
 * of problem codes (Uint16) and a token length (Uint32) per row, plus totals. Filters and the
 * histogram read these; problem messages are recomputed for the rows on screen.
 */
import { ISSUE_CODES, type IssueCode } from '../../protocol/dataset';

/** Token length of a row that has none (invalid JSON, no turns). */
export const NO_TOKENS = 0xffffffff;

export const codeBit = (code: IssueCode): number => 1 << ISSUE_CODES.indexOf(code);

export function maskOf(codes: Iterable<IssueCode>): number {
  let mask = 0;
  for (const code of codes) mask |= codeBit(code);
  return mask;
}

/** A typed array that doubles when full. */
export class Growable<T extends Uint16Array | Uint32Array> {
  private data: T;
  length = 0;

  constructor(private readonly make: (size: number) => T, initial = 1024) {
    this.data = make(initial);
  }

  set(index: number, value: number): void {
    if (index >= this.data.length) {
      let size = this.data.length;
      while (size <= index) size *= 2;
      const next = this.make(size);
      next.set(this.data);
      this.data = next;
    }
    this.data[index] = value;
    if (index >= this.length) this.length = index + 1;
  }

  push(value: number): void {
    this.set(this.length, value);
  }

  get(index: number): number {
    return index < this.length ? this.data[index]! : 0;
  }

  /** A view of the filled part (no copy). */
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export class RowStats {
  readonly masks = new Growable((n) => new Uint16Array(n));
  readonly tokens = new Growable((n) => new Uint32Array(n));
  readonly counts = Object.fromEntries(ISSUE_CODES.map((c) => [c, 0])) as Record<IssueCode, number>;
  /** duplicate_id needs the whole file: its message is kept for the rows that have it. */
  readonly duplicates = new Map<number, string>();
  /** Rows checked: 0..checked-1 are all known. */
  checked = 0;
  rowsWithProblems = 0;
  images = 0;
  turns = 0;
  maxTokens = 0;
  private tokenSum = 0;
  private tokenRows = 0;

  record(row: number, problems: readonly { code: IssueCode; message: string }[], tokens: number | null, images: number, turns: number): void {
    let mask = 0;
    for (const p of problems) {
      mask |= codeBit(p.code);
      this.counts[p.code]++;
      if (p.code === 'duplicate_id') this.duplicates.set(row, p.message);
    }
    if (problems.length > 0) this.rowsWithProblems++;
    this.masks.set(row, mask);
    this.tokens.set(row, tokens ?? NO_TOKENS);
    if (tokens !== null) {
      this.tokenSum += tokens;
      this.tokenRows++;
      if (tokens > this.maxTokens) this.maxTokens = tokens;
    }
    this.images += images;
    this.turns += turns;
    this.checked = Math.max(this.checked, row + 1);
  }

  get meanTokens(): number {
    return this.tokenRows === 0 ? 0 : this.tokenSum / this.tokenRows;
  }

  /** Rows checked so far whose token length is over `maxLength`. */
  overLimit(maxLength: number): number {
    let n = 0;
    const tokens = this.tokens.view();
    for (let i = 0; i < tokens.length; i++) if (tokens[i] !== NO_TOKENS && tokens[i]! > maxLength) n++;
    return n;
  }
}
