/**
 * Where each row starts (byte offset) and on which line, 12 bytes per row: a Float64 start and a
 * Uint32 line. Rows end where the next one starts (the caller trims the separator), so ends are
 * not stored. Storage grows in fixed blocks rather than by doubling, so a 665k-row index never holds
 * a half-empty copy: memory stays at 12 B/row plus at most one block.
 */
const BLOCK_BITS = 14;
const BLOCK = 1 << BLOCK_BITS;
const MASK = BLOCK - 1;

export class RowOffsets {
  private readonly startBlocks: Float64Array[] = [];
  private readonly lineBlocks: Uint32Array[] = [];
  private size = 0;

  get count(): number {
    return this.size;
  }

  push(start: number, line: number): void {
    const block = this.size >>> BLOCK_BITS;
    if (block === this.startBlocks.length) {
      this.startBlocks.push(new Float64Array(BLOCK));
      this.lineBlocks.push(new Uint32Array(BLOCK));
    }
    this.startBlocks[block]![this.size & MASK] = start;
    this.lineBlocks[block]![this.size & MASK] = line;
    this.size++;
  }

  start(row: number): number {
    return this.startBlocks[row >>> BLOCK_BITS]![row & MASK]!;
  }

  line(row: number): number {
    return this.lineBlocks[row >>> BLOCK_BITS]![row & MASK]!;
  }

  /** Bytes held by the index (for the memory budget check). */
  get bytes(): number {
    return this.startBlocks.length * BLOCK * 12;
  }
}
