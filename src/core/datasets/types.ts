/**
 * The dataset API shared by the preview, the CLI and the training launcher. Every reader (LLaVA JSON,
 * messages JSON/JSONL, Hub parquet, save_to_disk arrow) produces the same `DatasetRow`; validation
 * works on rows only. Keep these names stable: the webview and the Python trainer depend on them.
 */

/** Container + row schema. `--format` accepts these names. */
export type DatasetFormat = 'llava-json' | 'llava-jsonl' | 'messages-json' | 'messages-jsonl' | 'hf-parquet' | 'hf-arrow';

export const DATASET_FORMATS: readonly DatasetFormat[] = ['llava-json', 'llava-jsonl', 'messages-json', 'messages-jsonl', 'hf-parquet', 'hf-arrow'];

export type Role = 'system' | 'user' | 'assistant';

export type ContentPart =
  | { type: 'text'; text: string }
  /** `image` indexes `DatasetRow.images`; it may point past the end when markers outnumber images. */
  | { type: 'image'; image: number }
  /** Kept, not dropped, so the preview can show it and validation reports it (video, audio, tool turns...). */
  | { type: 'unsupported'; kind: string; detail: string };

export interface Message {
  role: Role;
  content: ContentPart[];
}

export type ImageRef =
  /** `written` exactly as in the dataset; `path` resolved against the image root (absolute, not realpath'd). */
  | { kind: 'file'; written: string; path: string }
  /** Bytes stored in the dataset (parquet/arrow `{bytes, path}`, data: URLs); `ext` sniffed from magic bytes. */
  | { kind: 'embedded'; bytes: Uint8Array; written: string | null; ext: string }
  | { kind: 'url'; url: string };

export interface DatasetRow {
  /** 0-based position in the dataset (across parquet shards / arrow files of the split). */
  index: number;
  /** 1-based line of the row's first byte in a JSON/JSONL file; null for parquet/arrow. */
  line: number | null;
  id: string | null;
  messages: Message[];
  images: ImageRef[];
  /** Structural problems found while reading this row (invalid_json, missing_field, unsupported_content). */
  problems: Problem[];
}

/** Stable problem codes: the CLI JSON, the preview and the launcher all key on them. */
export type ProblemCode =
  | 'invalid_json'
  | 'missing_field'
  | 'bad_role_order'
  | 'empty_turn'
  | 'image_missing'
  | 'image_unreadable'
  | 'image_too_large'
  | 'image_outside_root'
  | 'image_token_mismatch'
  | 'unsupported_content'
  | 'too_long'
  | 'duplicate_id';

export const PROBLEM_CODES: readonly ProblemCode[] = [
  'invalid_json', 'missing_field', 'bad_role_order', 'empty_turn', 'image_missing', 'image_unreadable',
  'image_too_large', 'image_outside_root', 'image_token_mismatch', 'unsupported_content', 'too_long', 'duplicate_id',
];

export interface Problem {
  row: number;
  line: number | null;
  code: ProblemCode;
  message: string;
}

/**
 * Renames for rows whose keys differ from the known layouts (LLaMA-Factory `columns`/`tags` style).
 * Unset keys fall back to auto-detection.
 */
export interface FieldMapping {
  /** Key of the turn list (default: `messages`, then `conversations`). */
  messages?: string;
  /** Key of a turn's speaker (default: `role`, then `from`). */
  role?: string;
  /** Key of a turn's text (default: `content`, then `value`). */
  content?: string;
  /** Key of the row's image list or single image (default: `images`, then `image`). */
  images?: string;
  id?: string;
  /** Row-level system prompt (default: `system`, then `system_prompt`). */
  system?: string;
  /** Extra speaker names, e.g. `{user: ['customer'], assistant: ['agent']}`. */
  roles?: Partial<Record<Role, string[]>>;
  /** Image marker in string content (default `<image>`). */
  imageToken?: string;
}

export interface IndexProgress {
  rowsFound: number;
  bytesScanned: number;
  totalBytes: number;
  done: boolean;
}

export interface OpenOptions {
  /** Skip auto-detection. */
  format?: DatasetFormat;
  /** Folder relative image paths resolve against (default: the dataset file's folder). */
  imageRoot?: string;
  /** For DatasetDict folders and multi-split parquet folders (default: `train`, else the first split). */
  split?: string;
  mapping?: FieldMapping;
  /** Cancels the index scan; `done` then rejects with an AbortError. */
  signal?: AbortSignal;
  onProgress?: (progress: IndexProgress) => void;
  /** Scan chunk size in bytes (tests use tiny chunks to hit every boundary). */
  chunkBytes?: number;
}

/**
 * An open dataset. The index may still be growing: `rowCount` is what is readable now, `done`
 * settles when the scan ends. Rows are parsed on demand, so a page costs the same in a 1 GB file
 * as in a 1 KB one.
 */
export interface Dataset {
  /** Absolute path of what was opened (file, or folder for arrow/parquet). */
  readonly path: string;
  readonly format: DatasetFormat;
  readonly imageRoot: string;
  /** Splits found (DatasetDict, multi-split parquet folder); [] when the source has no splits. */
  readonly splits: readonly string[];
  readonly split: string | null;
  /** Bytes of the underlying files, for progress. */
  readonly totalBytes: number;
  /** Rows indexed so far. */
  readonly rowCount: number;
  readonly complete: boolean;
  /** Resolves with the row count when indexing ends; rejects with a DatasetError (with byte offset) or AbortError. */
  readonly done: Promise<number>;
  /** Resolves when at least `count` rows are indexed or the index is complete; returns rowCount then. */
  waitForRows(count: number): Promise<number>;
  /** Rows [start, end) clamped to the rows indexed so far. */
  rows(start: number, end: number): Promise<DatasetRow[]>;
  onProgress(listener: (progress: IndexProgress) => void): () => void;
  close(): Promise<void>;
}

/** A dataset (or part of one) that cannot be read; carries where, so the message can say so. */
export class DatasetError extends Error {
  constructor(message: string, readonly path: string, readonly byteOffset: number | null = null) {
    super(message);
    this.name = 'DatasetError';
  }
}

export interface ValidateOptions {
  /** Model folder: exact token counts with its tokenizer + chat template, image tokens from its config. */
  modelDir?: string;
  /** Token limit (default: tokenizer_config model_max_length when sane, else 2048). */
  maxLength?: number;
  /** Pixel limit per image (default 178,956,970: where PIL raises DecompressionBombError). */
  maxPixels?: number;
  /** `decode` (default) fully decodes each distinct image; `header` reads dimensions only; `none` skips images. */
  imageCheck?: 'decode' | 'header' | 'none';
  /** Parallel image checks (default 8; sharp runs them on libuv threads). */
  imageConcurrency?: number;
  /** Rows parsed per batch (default 256). */
  batchRows?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ValidateProgress) => void;
}

export interface ValidateProgress {
  rowsChecked: number;
  totalRows: number;
  problems: number;
}

export interface ValidationReport {
  format: DatasetFormat;
  rows: number;
  /** Image references across all rows (a file used by two rows counts twice). */
  images: number;
  distinctImageFiles: number;
  problems: Problem[];
  /** Problems per code (every code present, zeros included). */
  counts: Record<ProblemCode, number>;
  rowsOk: number;
  rowsWithProblems: number;
  /** How token counts were obtained, e.g. "tokenizer + chat template of /m" or "estimate: chars ÷ 3.6 + …". */
  tokenBasis: string;
  imageTokensPerImage: number;
  maxLength: number;
}
