/** Column stores (Arrow, Parquet) read as plain records, a range at a time, over one or more shard files. */

export interface RecordSource {
  readonly rows: number;
  readonly totalBytes: number;
  read(start: number, end: number): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Columns the row model can use; column stores read only these (all columns when none match). */
export const KNOWN_COLUMNS = [
  'id', 'messages', 'conversations', 'conversation', 'images', 'image', 'system', 'system_prompt',
  'user', 'prompt', 'question', 'instruction', 'query', 'input', 'assistant', 'response', 'answer', 'output',
  'completion', 'videos', 'video', 'audios', 'audio',
];

export function wantedColumns(available: string[], extra: (string | undefined)[]): string[] | undefined {
  const wanted = new Set([...KNOWN_COLUMNS, ...extra.filter((c): c is string => !!c)]);
  const picked = available.filter((name) => wanted.has(name));
  return picked.length > 0 ? picked : undefined;
}

/** Maps a global row range onto shards with known row counts; calls `readShard` per overlapping shard. */
export async function readAcrossShards<T>(
  shardRows: number[],
  start: number,
  end: number,
  readShard: (shard: number, from: number, to: number) => Promise<T[]>,
): Promise<T[]> {
  const out: T[] = [];
  let base = 0;
  for (let shard = 0; shard < shardRows.length && base < end; shard++) {
    const rows = shardRows[shard]!;
    const from = Math.max(start, base) - base;
    const to = Math.min(end, base + rows) - base;
    if (to > from) out.push(...(await readShard(shard, from, to)));
    base += rows;
  }
  return out;
}
