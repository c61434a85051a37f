/** Parquet and Arrow datasets: row counts are known from metadata, so the index is complete at open. */
import { normalizeRecord, type NormalizeContext } from '../rows/normalize';
import type { Dataset, DatasetFormat, DatasetRow, IndexProgress } from '../types';
import type { RecordSource } from './recordSource';

export class TableDataset implements Dataset {
  readonly complete = true;
  readonly done: Promise<number>;

  constructor(
    readonly path: string,
    readonly format: DatasetFormat,
    private readonly source: RecordSource,
    readonly splits: readonly string[],
    readonly split: string | null,
    readonly context: NormalizeContext,
  ) {
    this.done = Promise.resolve(source.rows);
  }

  get imageRoot(): string {
    return this.context.imageRoot;
  }

  get totalBytes(): number {
    return this.source.totalBytes;
  }

  get rowCount(): number {
    return this.source.rows;
  }

  waitForRows(): Promise<number> {
    return Promise.resolve(this.source.rows);
  }

  onProgress(listener: (progress: IndexProgress) => void): () => void {
    listener({ rowsFound: this.source.rows, bytesScanned: this.source.totalBytes, totalBytes: this.source.totalBytes, done: true });
    return () => undefined;
  }

  async rows(start: number, end: number): Promise<DatasetRow[]> {
    const from = Math.max(0, Math.floor(start));
    const to = Math.min(this.source.rows, Math.floor(end));
    if (to <= from) return [];
    const records = await this.source.read(from, to);
    return records.map((record, k) => normalizeRecord(record, from + k, null, this.context));
  }

  close(): Promise<void> {
    return this.source.close();
  }
}
