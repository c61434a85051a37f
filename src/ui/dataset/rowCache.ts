/**
 * Rows the panel has just shown, kept parsed: a card's thumbnails and "open image" ask for the same
 * rows right after the page did, and a parquet/arrow row read can cost a whole page decode.
 */
import { stat } from 'node:fs/promises';
import type { Dataset, DatasetRow, ImageRef } from '../../core/datasets/types';
import type { Notice } from '../../protocol/dataset';

export class RowCache {
  private readonly recent = new Map<number, DatasetRow>();

  constructor(private readonly load: (start: number, end: number) => Promise<DatasetRow[]>, private readonly max = 400) {}

  /** Rows by index, in the order asked (indices past the end are left out). */
  async read(indices: readonly number[]): Promise<DatasetRow[]> {
    const out = new Map<number, DatasetRow>();
    const missing = indices.filter((i) => {
      const hit = this.recent.get(i);
      if (hit) out.set(i, hit);
      return !hit;
    }).sort((a, b) => a - b);
    // Contiguous runs (gaps under 16 rows are read through) so a filtered page is a few reads, not 50.
    let k = 0;
    while (k < missing.length) {
      let j = k;
      while (j + 1 < missing.length && missing[j + 1]! - missing[j]! < 16) j++;
      for (const row of await this.load(missing[k]!, missing[j]! + 1)) out.set(row.index, row);
      k = j + 1;
    }
    for (const [i, row] of out) {
      this.recent.delete(i);
      this.recent.set(i, row);
    }
    while (this.recent.size > this.max) this.recent.delete(this.recent.keys().next().value!);
    return indices.map((i) => out.get(i)).filter((r): r is DatasetRow => r !== undefined);
  }
}

/** A notice when none of the first rows' relative image paths exist under the image root (then the panel offers to choose it). */
export async function unresolvedImagesNotice(dataset: Pick<Dataset, 'rows' | 'imageRoot'>): Promise<Notice | null> {
  const rows = await dataset.rows(0, 50);
  const files = rows.flatMap((r) => r.images.filter((i): i is Extract<ImageRef, { kind: 'file' }> => i.kind === 'file')).slice(0, 20);
  if (files.length === 0) return null;
  const found = await Promise.all(files.map((f) => stat(f.path).then((s) => s.isFile(), () => false)));
  if (found.some(Boolean)) return null;
  return {
    kind: 'imagesUnresolved',
    message: `None of the first ${files.length} image paths resolve under ${dataset.imageRoot} (e.g. ${files[0]!.written}). Choose the folder they are relative to.`,
  };
}
