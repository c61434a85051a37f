/**
 * Validation's fast path for the common row: `{id, image(s), conversations|messages: [{from|role,
 * value|content: string}]}` with user/assistant turns, read from its parsed JSON without building a
 * DatasetRow (normalizing every row of a 665k-row file cost more than parsing it). It only says
 * "nothing to report here" (or waits on the row's image findings); anything else it leaves to the
 * full path (normalizeRecord + RowValidator.check), which then reports exactly what it always did.
 * So every rule here mirrors normalize.ts, content.ts and rowChecks.ts, and gives up where they would
 * produce a problem or do anything unusual.
 */
import { toImageRef } from '../rows/imageRef';
import type { ImageRef, Problem } from '../types';
import type { SeenIds } from './idIndex';
import type { ImageChecker } from './imageChecker';
import { CHARS_PER_TOKEN } from './tokenCounter';

const IMAGE = '<image>';
/** A row with nothing to report (shared: callers only read it). */
export const NO_PROBLEMS: readonly Problem[] = Object.freeze([]);

export type QuickResult = readonly Problem[] | Promise<readonly Problem[]>;

export interface QuickCheckSettings {
  images: ImageChecker;
  imageTokens: number;
  maxLength: number;
}

/** Counts what a row holds; `images` sums image references of the rows checked. */
export interface QuickTally {
  images: number;
}

/** Remembered image paths; past this (a dataset of mostly distinct images) the memo starts over. */
const MAX_WRITTEN = 1 << 16;

const present = (value: unknown): boolean => value !== undefined && value !== null;

/** `<image>` markers in `text`, or -1 when it has a marker the fast path does not handle. */
function imageMarkers(text: string): number {
  const angle = text.indexOf('<');
  if (angle < 0) return 0;
  if (text.indexOf('<video>', angle) >= 0 || text.indexOf('<audio>', angle) >= 0) return -1;
  let markers = 0;
  for (let at = text.indexOf(IMAGE, angle); at >= 0; at = text.indexOf(IMAGE, at + IMAGE.length)) markers++;
  return markers;
}

const SPACE = /\s/;

/** What `/\S/.test(text)` says, with the regex only for characters outside ASCII (answers start with a letter). */
function hasNonSpace(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x20 && c < 0x7f) return true;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && !SPACE.test(text[i]!)) return true;
  }
  return false;
}

/**
 * Problems of a parsed row when it has the common layout and none but image problems (an ImageWait
 * while its images are checked), adding its images to `tally`; null when the full path must look at
 * it (nothing was recorded then: not its id, not its images).
 */
export type QuickCheck = (
  value: unknown, index: number, line: number, imageRoot: string, seenIds: SeenIds, tally: QuickTally,
) => QuickResult | ImageWait | null;

export function quickChecker(settings: QuickCheckSettings): QuickCheck {
  const { images, imageTokens, maxLength } = settings;
  const refs: ImageRef[] = []; // the current row's images (its first `readImages()` entries)
  // Image paths as written → their refs: rows share images, and a resolved path built per row cost a
  // string join and a rehash of the joined path in the image cache every time.
  const written = new Map<string, ImageRef>();
  let writtenRoot = '';

  /** `value` (an image as written) as a file ref, or null when normalize.ts would make anything else of it. */
  const fileRef = (value: unknown, imageRoot: string): ImageRef | null => {
    if (typeof value !== 'string') {
      const ref = toImageRef(value, imageRoot);
      return typeof ref === 'string' || ref.kind !== 'file' ? null : ref;
    }
    if (imageRoot !== writtenRoot || written.size >= MAX_WRITTEN) {
      written.clear();
      writtenRoot = imageRoot;
    }
    let ref = written.get(value);
    if (ref === undefined) {
      const made = toImageRef(value, imageRoot);
      if (typeof made === 'string' || made.kind !== 'file') return null;
      written.set(value, ref = made);
    }
    return ref;
  };

  /** The row's image list as normalize.ts reads it, into `refs`: how many, or -1 when it would report something. */
  const readImages = (record: Record<string, unknown>, imageRoot: string): number => {
    const value = present(record.images) ? record.images : record.image;
    if (!present(value)) return 0;
    if (!Array.isArray(value)) {
      const ref = fileRef(value, imageRoot);
      if (ref === null) return -1;
      refs[0] = ref;
      return 1;
    }
    for (let k = 0; k < value.length; k++) {
      const ref = fileRef(value[k], imageRoot);
      if (ref === null) return -1;
      refs[k] = ref;
    }
    return value.length;
  };

  return (value, index, line, imageRoot, seenIds, tally) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
    const record = value as Record<string, unknown>;
    if (present(record.videos) || present(record.video) || present(record.audios) || present(record.audio)) return null;
    const system = present(record.system) ? record.system : record.system_prompt;
    if (typeof system === 'string' && system !== '') return null;
    const turns = present(record.messages) ? record.messages : present(record.conversations) ? record.conversations : record.conversation;
    if (!Array.isArray(turns) || turns.length === 0) return null;
    const imageCount = readImages(record, imageRoot);
    if (imageCount < 0) return null;

    // Turns: roles alternate user/assistant from a user turn (an optional system turn first), every
    // turn has a non-blank string, markers match images, and the estimate fits.
    let previous = 0; // 0 none, 1 user, 2 assistant
    let assistants = 0;
    let markers = 0;
    let chars = 0;
    for (let k = 0; k < turns.length; k++) {
      const turn: unknown = turns[k];
      if (!turn || typeof turn !== 'object' || Array.isArray(turn)) return null;
      const t = turn as Record<string, unknown>;
      const name = 'role' in t ? t.role : t.from;
      const text = 'content' in t ? t.content : t.value;
      if (typeof text !== 'string') return null;
      let role: number;
      if (name === 'human' || name === 'user') role = 1;
      else if (name === 'gpt' || name === 'assistant') role = 2;
      else if (name === 'system' && k === 0) role = 0;
      else return null;
      if (role !== 0) {
        if (role === previous || (previous === 0 && role === 2)) return null;
        if (role === 2) assistants++;
        previous = role;
      }
      const found = imageMarkers(text);
      if (found < 0 || (found === 0 && !hasNonSpace(text))) return null;
      markers += found;
      chars += text.length - found * IMAGE.length;
    }
    if (assistants === 0 || markers !== imageCount) return null;
    if (Math.ceil(chars / CHARS_PER_TOKEN) + markers * imageTokens > maxLength) return null;

    const id = record.id;
    if (typeof id === 'string' || typeof id === 'number') {
      const key = String(id);
      if (seenIds.get(key) !== undefined) return null; // the full path reports it
      seenIds.set(key, index);
    }
    tally.images += imageCount;
    return imageProblems(images, refs, imageCount, index, line);
  };
}

/** The row's image findings: the only problems a row that got this far can have. */
function imageProblems(images: ImageChecker, refs: readonly ImageRef[], count: number, index: number, line: number): QuickResult | ImageWait {
  let problems: Problem[] | null = null;
  for (let k = 0; k < count; k++) {
    const ref = refs[k]!;
    const known = ref.kind === 'file' ? images.peek(ref.path) : undefined;
    if (known === null) continue; // the common case: checked, and fine
    if (known instanceof Promise) return wait(images, refs, count, index, line, k);
    const finding = images.check(ref, k); // synchronous unless this starts the path's check
    if (finding instanceof Promise) {
      finding.catch(() => undefined); // the ImageWait surfaces a failure
      return wait(images, refs, count, index, line, k + 1);
    }
    if (finding) (problems ??= []).push({ row: index, line, code: finding.code, message: finding.message });
  }
  return problems ?? NO_PROBLEMS;
}

/** An ImageWait for the row, after starting the checks of its images from `from` on that are new. */
function wait(images: ImageChecker, refs: readonly ImageRef[], count: number, index: number, line: number, from: number): ImageWait {
  for (let k = from; k < count; k++) {
    const ref = refs[k]!;
    if (ref.kind !== 'file' || images.peek(ref.path) !== undefined) continue;
    const started = images.check(ref, k);
    if (started instanceof Promise) started.catch(() => undefined);
  }
  return new ImageWait(index, line, count === 1 ? refs[0]! : refs.slice(0, count));
}

/**
 * A row whose only open question is the check of images already in flight. It holds the row's
 * refs, not a promise per row: while the first decodes of a dataset run, tens of thousands of rows
 * that share those images wait, and promises per row made the collector the bottleneck.
 */
export class ImageWait {
  constructor(
    readonly index: number,
    readonly line: number,
    /** The row's one image, or all its images (a row with one image, the usual, allocates nothing more). */
    private readonly refs: ImageRef | readonly ImageRef[],
  ) {}

  /** Calls `wait` with each check this row waits for (a promise shared by every row with that image). */
  inFlight(images: ImageChecker, wait: (check: Promise<unknown>) => void): number {
    let running = 0;
    for (let k = 0; k < this.count; k++) {
      const ref = this.ref(k);
      const known = ref.kind === 'file' ? images.peek(ref.path) : undefined;
      if (known instanceof Promise) {
        running++;
        wait(known);
      }
    }
    return running;
  }

  /** The row's problems, in image order, once its images are checked (synchronous when they are). */
  settle(images: ImageChecker): readonly Problem[] | Promise<readonly Problem[]> {
    const running: Promise<unknown>[] = [];
    if (this.inFlight(images, (check) => running.push(check)) > 0) return Promise.all(running).then(() => this.settle(images));
    let problems: Problem[] | null = null;
    for (let k = 0; k < this.count; k++) {
      const finding = images.check(this.ref(k), k); // synchronous: every check is done
      if (finding instanceof Promise) return finding.then(() => this.settle(images));
      if (finding) (problems ??= []).push({ row: this.index, line: this.line, code: finding.code, message: finding.message });
    }
    return problems ?? NO_PROBLEMS;
  }

  private get count(): number {
    return Array.isArray(this.refs) ? this.refs.length : 1;
  }

  private ref(k: number): ImageRef {
    return Array.isArray(this.refs) ? (this.refs as readonly ImageRef[])[k]! : this.refs as ImageRef;
  }
}
