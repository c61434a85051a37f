/**
 * Hub parquet shards as records, via hyparquet (loaded on first use). Row counts come from the
 * footers, so the "index" is instant; a read touches only the row groups and columns it needs.
 * `utf8: false` keeps image bytes binary (FACTS §6b); STRING-annotated columns still decode as text.
 */
import { open, stat } from 'node:fs/promises';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { DatasetError } from '../types';
import { readAcrossShards, wantedColumns, type RecordSource } from './recordSource';

type Hyparquet = typeof import('hyparquet');
type Compressors = typeof import('hyparquet-compressors');
let modules: Promise<[Hyparquet, Compressors]> | null = null;
const load = (): Promise<[Hyparquet, Compressors]> => (modules ??= Promise.all([import('hyparquet'), import('hyparquet-compressors')]));

/** hyparquet's AsyncBuffer over positional reads of one open file. */
async function fileBuffer(path: string): Promise<AsyncBuffer & { close(): Promise<void> }> {
  const handle = await open(path, 'r');
  const size = (await handle.stat()).size;
  return {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = Math.min(end ?? size, size);
      const bytes = new Uint8Array(Math.max(0, stop - start));
      let got = 0;
      while (got < bytes.length) {
        const { bytesRead } = await handle.read(bytes, got, bytes.length - got, start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return bytes.buffer;
    },
    close: () => handle.close(),
  };
}

interface Shard {
  path: string;
  file: AsyncBuffer & { close(): Promise<void> };
  metadata: FileMetaData;
  rows: number;
  columns: string[] | undefined;
}

export class ParquetSource implements RecordSource {
  private constructor(private readonly shards: Shard[], readonly rows: number, readonly totalBytes: number) {}

  static async open(files: string[], mappingColumns: (string | undefined)[] = []): Promise<ParquetSource> {
    const [hyparquet] = await load();
    const shards: Shard[] = [];
    let bytes = 0;
    for (const path of files) {
      const file = await fileBuffer(path);
      try {
        const metadata = await hyparquet.parquetMetadataAsync(file);
        const top = hyparquet.parquetSchema(metadata).children.map((child) => child.element.name);
        shards.push({ path, file, metadata, rows: Number(metadata.num_rows), columns: wantedColumns(top, mappingColumns) });
        bytes += (await stat(path)).size;
      } catch (error) {
        await Promise.all([file, ...shards.map((s) => s.file)].map((f) => f.close()));
        throw new DatasetError(`not a readable parquet file: ${(error as Error).message} (${path})`, path, null);
      }
    }
    return new ParquetSource(shards, shards.reduce((n, s) => n + s.rows, 0), bytes);
  }

  read(start: number, end: number): Promise<Record<string, unknown>[]> {
    return readAcrossShards(this.shards.map((s) => s.rows), start, end, async (index, from, to) => {
      const [hyparquet, { compressors }] = await load();
      const shard = this.shards[index]!;
      return (await hyparquet.parquetReadObjects({
        file: shard.file, metadata: shard.metadata, columns: shard.columns, rowStart: from, rowEnd: to, utf8: false, compressors,
      })) as Record<string, unknown>[];
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.file.close()));
  }
}
