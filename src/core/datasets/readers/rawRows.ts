/**
 * A run of JSON/JSONL rows read with one file read, parsed one row at a time on request. `rows()`
 * builds every DatasetRow from it; validation parses each row, checks the common layout straight
 * from the parsed JSON and builds a DatasetRow only for the rows that need one (see quickCheck).
 */
import { invalidJsonRow, normalizeRecord, type NormalizeContext } from '../rows/normalize';
import type { DatasetRow } from '../types';

/** What `parse` returns for a row whose text is not JSON (JSON.parse never returns undefined). */
export const NOT_JSON = undefined;

export class RawRows {
  /**
   * `bytes` holds rows [start, start + count) from file offset `first`; `starts`/`ends` are their
   * byte ranges in `bytes` (separators trimmed), `lines` their first lines.
   */
  constructor(
    readonly start: number,
    readonly count: number,
    readonly context: NormalizeContext,
    private readonly bytes: Buffer,
    private readonly first: number,
    private readonly starts: Float64Array,
    private readonly ends: Float64Array,
    private readonly lines: Uint32Array,
  ) {}

  line(k: number): number {
    return this.lines[k]!;
  }

  /** Row k's parsed JSON, or NOT_JSON. */
  parse(k: number): unknown {
    try {
      return JSON.parse(this.bytes.toString('utf8', this.starts[k], this.ends[k]));
    } catch {
      return NOT_JSON;
    }
  }

  /** Row k as `rows()` returns it; `value` is what `parse(k)` returned. */
  row(k: number, value: unknown): DatasetRow {
    const index = this.start + k;
    if (value !== NOT_JSON) return normalizeRecord(value, index, this.lines[k]!, this.context);
    // Parsed again for V8's message: `parse` keeps no error objects (they are rare, and costly to keep).
    const text = this.bytes.toString('utf8', this.starts[k], this.ends[k]);
    let message = 'not JSON';
    try {
      JSON.parse(text);
    } catch (error) {
      message = (error as Error).message;
    }
    return invalidJsonRow(index, this.lines[k]!, describeParseError(message, text, this.lines[k]!, this.first + this.starts[k]!));
  }

  rows(): DatasetRow[] {
    const rows: DatasetRow[] = [];
    for (let k = 0; k < this.count; k++) rows.push(this.row(k, this.parse(k)));
    return rows;
  }
}

/** V8's parse message with the position turned into a file byte offset and line. */
function describeParseError(message: string, text: string, firstLine: number, fileOffset: number): string {
  const short = message.replace(/^JSON\.parse: /, '').replace(/\s*\(line \d+ column \d+ of the JSON data\)/, '');
  const match = /at position (\d+)/.exec(message);
  if (!match) return `${short.slice(0, 160)} (row starts at byte ${fileOffset})`;
  const prefix = text.slice(0, Number(match[1]));
  const byte = fileOffset + Buffer.byteLength(prefix);
  const line = firstLine + (prefix.match(/\n/g)?.length ?? 0);
  return `${short.replace(/ at position \d+.*$/, '').slice(0, 160)} at byte ${byte} (line ${line})`;
}
