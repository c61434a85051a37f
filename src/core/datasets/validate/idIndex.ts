/**
 * Row ids seen so far → the first row that used each, for duplicate_id. Same contract as the
 * Map<string, number> it replaces (`get`/`set`), but an open-addressing table of 32-bit hashes in
 * typed arrays: with 665k ids a Map's lookups missed the cache two or three times each, and were a
 * tenth of validation's time. Keys are still compared in full when hashes match.
 */
/** Ids seen so far → the first row with each (a Map, or the faster IdIndex). */
export interface SeenIds {
  get(id: string): number | undefined;
  set(id: string, row: number): unknown;
}

export class IdIndex implements SeenIds {
  private slots = new Int32Array(1 << 12); // entry number + 1; 0 = empty
  private hashes = new Int32Array(1 << 12); // the hash of the entry in that slot
  private readonly keys: string[] = [];
  private readonly rows: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  get(id: string): number | undefined {
    const entry = this.find(id, hash(id));
    return entry < 0 ? undefined : this.rows[entry];
  }

  /** Records `row` as the first row with `id` (replaces the row when `id` is already there, as Map.set does). */
  set(id: string, row: number): this {
    const h = hash(id);
    const entry = this.find(id, h);
    if (entry >= 0) {
      this.rows[entry] = row;
      return this;
    }
    if ((this.keys.length + 1) * 2 > this.slots.length) this.grow();
    this.keys.push(id);
    this.rows.push(row);
    this.place(this.keys.length, h);
    return this;
  }

  private find(id: string, h: number): number {
    const mask = this.slots.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === 0) return -1;
      if (this.hashes[slot] === h && this.keys[entry - 1] === id) return entry - 1;
    }
  }

  private place(entryPlusOne: number, h: number): void {
    const mask = this.slots.length - 1;
    let slot = h & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = entryPlusOne;
    this.hashes[slot] = h;
  }

  private grow(): void {
    const { slots, hashes } = this;
    this.slots = new Int32Array(slots.length * 2);
    this.hashes = new Int32Array(slots.length * 2);
    for (let slot = 0; slot < slots.length; slot++) if (slots[slot] !== 0) this.place(slots[slot]!, hashes[slot]!);
  }
}

/** FNV-1a over UTF-16 code units, then a final mix so that ids differing only at the end spread out. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}
