/** Columnar scalar points of one tag, in file order. Steps are integers, wall times in seconds. */
export interface ScalarSeries {
  step: number[];
  wall: number[];
  value: number[];
}

/** Where a file stopped being readable: the byte offset of the first bad record and why. */
export interface Damage {
  offset: number;
  reason: string;
}

/** A text summary (e.g. HF Trainer's `args/text_summary`), with the step it was written at. */
export interface TextSummary {
  tag: string;
  step: number;
  wall: number;
  text: string;
}

/** What one read of an event file produced: everything new since the previous read. */
export interface EventFileDelta {
  /** Records decoded by this read (all kinds: file_version, summaries, graphs, ...). */
  records: number;
  /** New scalar points per tag. */
  scalars: Map<string, ScalarSeries>;
  texts: TextSummary[];
  /** `brain.Event:2` etc., when the file_version record was read in this delta. */
  fileVersion: string | null;
  /** Set when the file is damaged at a byte offset; every record before it was kept. */
  damage: Damage | null;
  /** True when the file shrank or was replaced, so earlier points from it must be forgotten. */
  reset: boolean;
}

/** Everything read from a whole file or buffer in one go (`readEventFile`, `parseEventBytes`). */
export interface EventFileContents {
  records: number;
  scalars: Map<string, ScalarSeries>;
  texts: TextSummary[];
  fileVersion: string | null;
  damage: Damage | null;
  /** Bytes of whole, valid records from the start; less than the size when the tail is unwritten or damaged. */
  validBytes: number;
}
