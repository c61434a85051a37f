/**
 * `save_to_disk` Arrow shards as records. Each batch is decoded on demand from its own bytes (schema
 * message + dictionaries + that batch) with apache-arrow, loaded on first use.
 */
import { open, stat } from 'node:fs/promises';
import type * as Arrow from 'apache-arrow';
import { indexArrowStream, type ArrowStreamIndex } from './arrowStreamIndex';
import { readAcrossShards, wantedColumns, type RecordSource } from './recordSource';

type ArrowModule = typeof Arrow;
let arrowModule: Promise<ArrowModule> | null = null;
const loadArrow = (): Promise<ArrowModule> => (arrowModule ??= import('apache-arrow'));

/** Arrow values → plain JS: lists become arrays, structs objects, binary stays Uint8Array. */
function toPlain(value: unknown, arrow: ArrowModule): unknown {
  if (value === null || value === undefined || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return value;
  if (value instanceof arrow.Vector) return Array.from(value as Iterable<unknown>, (item) => toPlain(item, arrow));
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === 'function') {
    const object = json.call(value) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(object)) out[key] = toPlain(item, arrow);
    return out;
  }
  return value;
}

interface Shard {
  path: string;
  index: ArrowStreamIndex;
  batchStarts: number[];
}

export class ArrowSource implements RecordSource {
  private readonly cache = new Map<string, Promise<Record<string, unknown>[]>>();

  private constructor(private readonly shards: Shard[], readonly rows: number, readonly totalBytes: number, private readonly columns: (string | undefined)[]) {}

  static async open(files: string[], mappingColumns: (string | undefined)[] = []): Promise<ArrowSource> {
    const shards: Shard[] = [];
    let rows = 0;
    let bytes = 0;
    for (const path of files) {
      const index = await indexArrowStream(path);
      const batchStarts: number[] = [];
      let start = 0;
      for (const batch of index.batches) { batchStarts.push(start); start += batch.rows; }
      shards.push({ path, index, batchStarts });
      rows += index.rows;
      bytes += (await stat(path)).size;
    }
    return new ArrowSource(shards, rows, bytes, mappingColumns);
  }

  read(start: number, end: number): Promise<Record<string, unknown>[]> {
    return readAcrossShards(this.shards.map((s) => s.index.rows), start, end, (shard, from, to) => this.readShard(this.shards[shard]!, shard, from, to));
  }

  async close(): Promise<void> {
    this.cache.clear();
  }

  private async readShard(shard: Shard, shardNo: number, from: number, to: number): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for (let b = 0; b < shard.index.batches.length; b++) {
      const first = shard.batchStarts[b]!;
      if (first + shard.index.batches[b]!.rows <= from || first >= to) continue;
      const records = await this.batch(shard, shardNo, b);
      rows.push(...records.slice(Math.max(0, from - first), Math.min(records.length, to - first)));
    }
    return rows;
  }

  /** Decoded batch, cached (the last few only: a preview scrolls within a batch). */
  private batch(shard: Shard, shardNo: number, batch: number): Promise<Record<string, unknown>[]> {
    const key = `${shardNo}:${batch}`;
    let cached = this.cache.get(key);
    if (!cached) {
      cached = this.decode(shard, batch);
      this.cache.set(key, cached);
      if (this.cache.size > 4) this.cache.delete(this.cache.keys().next().value!);
      cached.catch(() => this.cache.delete(key));
    }
    return cached;
  }

  private async decode(shard: Shard, batch: number): Promise<Record<string, unknown>[]> {
    const arrow = await loadArrow();
    const parts = [shard.index.schema, ...shard.index.dictionaries, shard.index.batches[batch]!];
    const bytes = Buffer.alloc(parts.reduce((n, p) => n + p.length, 0));
    const handle = await open(shard.path, 'r');
    try {
      let at = 0;
      for (const part of parts) {
        await handle.read(bytes, at, part.length, part.offset);
        at += part.length;
      }
    } finally {
      await handle.close();
    }
    const table = arrow.tableFromIPC(bytes);
    const names = table.schema.fields.map((f) => f.name);
    const columns = wantedColumns(names, this.columns) ?? names;
    const vectors = columns.map((name) => [name, table.getChild(name)] as const);
    const records: Record<string, unknown>[] = [];
    for (let row = 0; row < table.numRows; row++) {
      const record: Record<string, unknown> = {};
      for (const [name, vector] of vectors) record[name] = toPlain(vector?.get(row), arrow);
      records.push(record);
    }
    return records;
  }
}
