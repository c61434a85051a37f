/**
 * Any reader's raw row (parsed JSON, parquet/arrow record) → the canonical DatasetRow. Accepts the
 * LLaVA layout (`image` + `conversations[{from, value}]`), messages layouts (OpenAI, LLaMA-Factory
 * sharegpt, HF processors) and flat columns (`system`/`user`/`assistant`, `question`/`answer`...),
 * with a FieldMapping for anything else. It never throws: what it cannot use becomes a problem.
 */
import type { DatasetRow, FieldMapping, Message, Problem, ProblemCode, Role } from '../types';
import { contentParts, splitMarkers, type RowBuilder } from './content';
import { toImageRef } from './imageRef';

export interface NormalizeContext {
  imageRoot: string;
  mapping?: FieldMapping;
}

const ROLE_NAMES: Record<Role, string[]> = {
  user: ['user', 'human'],
  assistant: ['assistant', 'gpt', 'bot', 'model', 'chatgpt', 'bing'],
  system: ['system'],
};
const FLAT_USER = ['user', 'prompt', 'question', 'instruction', 'query'];
const FLAT_ASSISTANT = ['assistant', 'response', 'answer', 'output', 'completion'];
const UNSUPPORTED_MEDIA = ['videos', 'video', 'audios', 'audio'];

function firstKey(record: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const key of keys) if (record[key] !== undefined && record[key] !== null) return key;
  return null;
}

const TURN_KEYS = ['messages', 'conversations', 'conversation'];
const IMAGE_KEYS = ['images', 'image'];
const SYSTEM_KEYS = ['system', 'system_prompt'];

function problem(row: DatasetRow, code: ProblemCode, message: string): void {
  row.problems.push({ row: row.index, line: row.line, code, message });
}

function roleOf(name: string, mapping: FieldMapping | undefined): Role | null {
  // The common spellings first, without allocating.
  if (name === 'human' || name === 'user') return 'user';
  if (name === 'gpt' || name === 'assistant') return 'assistant';
  const lower = name.toLowerCase();
  for (const role of ['user', 'assistant', 'system'] as Role[]) {
    if (ROLE_NAMES[role].includes(lower) || mapping?.roles?.[role]?.includes(name)) return role;
  }
  return null;
}

/** A row whose text is not JSON: kept as an empty row carrying the parse error. */
export function invalidJsonRow(index: number, line: number | null, reason: string): DatasetRow {
  const problem: Problem = { row: index, line, code: 'invalid_json', message: `not valid JSON: ${reason}` };
  return { index, line, id: null, messages: [], images: [], problems: [problem] };
}

export function normalizeRecord(value: unknown, index: number, line: number | null, context: NormalizeContext): DatasetRow {
  const row: DatasetRow = { index, line, id: null, messages: [], images: [], problems: [] };
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    const what = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
    problem(row, 'missing_field', `row is ${what}, expected an object with messages or conversations`);
    return row;
  }
  const record = value as Record<string, unknown>;
  const mapping = context.mapping;
  const idValue = record[mapping?.id ?? 'id'];
  if (typeof idValue === 'string' || typeof idValue === 'number' || typeof idValue === 'bigint') row.id = String(idValue);

  const builder: RowBuilder = {
    imageRoot: context.imageRoot, imageToken: mapping?.imageToken ?? '<image>', images: row.images,
    nextListImage: 0, unsupported: [], malformed: [],
  };
  readImageList(record, mapping, builder);
  const listImages = builder.images.length;
  for (const key of UNSUPPORTED_MEDIA) {
    const media = record[key];
    if (media === undefined || media === null) continue;
    const count = Array.isArray(media) ? media.length : 1;
    if (count > 0) builder.unsupported.push(`row has ${count} ${key} (${key.startsWith('video') ? 'video' : 'audio'} is not supported)`);
  }

  const turnsKey = mapping?.messages ?? firstKey(record, TURN_KEYS);
  if (turnsKey !== null && record[turnsKey] !== undefined && record[turnsKey] !== null) {
    readTurns(record[turnsKey], turnsKey, mapping, builder, row.messages);
  } else if (!readFlatColumns(record, builder, row.messages, listImages)) {
    const wanted = mapping?.messages ? `'${mapping.messages}'` : "'messages' or 'conversations' (or user/assistant columns)";
    problem(row, 'missing_field', `no ${wanted}; keys: ${Object.keys(record).join(', ') || 'none'}`);
  }

  const systemKey = mapping?.system ?? firstKey(record, SYSTEM_KEYS);
  const system = systemKey ? record[systemKey] : undefined;
  if (typeof system === 'string' && system !== '' && row.messages[0]?.role !== 'system') {
    row.messages.unshift({ role: 'system', content: [{ type: 'text', text: system }] });
  }
  for (const message of builder.malformed) problem(row, 'missing_field', message);
  for (const message of builder.unsupported) problem(row, 'unsupported_content', message);
  return row;
}

function readImageList(record: Record<string, unknown>, mapping: FieldMapping | undefined, builder: RowBuilder): void {
  const key = mapping?.images ?? firstKey(record, IMAGE_KEYS);
  if (key === null) return;
  const value = record[key];
  if (value === null || value === undefined) return;
  const items = Array.isArray(value) ? value : [value];
  for (let k = 0; k < items.length; k++) {
    const ref = toImageRef(items[k], builder.imageRoot);
    if (typeof ref === 'string') builder.malformed.push(`'${key}'${Array.isArray(value) ? ` item ${k + 1}` : ''} is ${ref}, expected an image path`);
    else builder.images.push(ref);
  }
}

function readTurns(turns: unknown, key: string, mapping: FieldMapping | undefined, builder: RowBuilder, out: Message[]): void {
  if (!Array.isArray(turns)) {
    builder.malformed.push(`'${key}' is ${typeof turns === 'string' ? 'a string' : `a ${typeof turns}`}, expected a list of turns`);
    return;
  }
  for (let k = 0; k < turns.length; k++) {
    const turn: unknown = turns[k];
    if (!turn || typeof turn !== 'object' || Array.isArray(turn)) {
      builder.malformed.push(`turn ${k + 1} is ${turn === null ? 'null' : Array.isArray(turn) ? 'an array' : `a ${typeof turn}`}, expected an object`);
      continue;
    }
    const t = turn as Record<string, unknown>;
    const roleKey = mapping?.role ?? ('role' in t ? 'role' : 'from');
    const contentKey = mapping?.content ?? ('content' in t ? 'content' : 'value');
    const name = t[roleKey];
    if (typeof name !== 'string') {
      builder.malformed.push(`turn ${k + 1} has no '${roleKey}' (keys: ${Object.keys(t).join(', ')})`);
      continue;
    }
    const role = roleOf(name, mapping);
    if (!role) {
      builder.unsupported.push(`turn ${k + 1} has role '${name}' (only system, user/human and assistant/gpt turns are used)`);
      continue;
    }
    const content = contentParts(t[contentKey], builder, k);
    if (!content) {
      builder.malformed.push(`turn ${k + 1} has no '${contentKey}' text (keys: ${Object.keys(t).join(', ')})`);
      continue;
    }
    out.push({ role, content });
  }
}

/**
 * Flat rows (one prompt column, one answer column). When the prompt has no image marker, the row's
 * images go before it: that is how VQA-style tables (image, question, answer) are meant.
 */
function readFlatColumns(record: Record<string, unknown>, builder: RowBuilder, out: Message[], listImages: number): boolean {
  const userKey = firstKey(record, FLAT_USER);
  const assistantKey = firstKey(record, FLAT_ASSISTANT);
  const user = userKey ? record[userKey] : undefined;
  const assistant = assistantKey ? record[assistantKey] : undefined;
  if (typeof user !== 'string' || typeof assistant !== 'string') return false;
  const input = userKey === 'instruction' && typeof record.input === 'string' && record.input !== '' ? `\n${record.input}` : '';
  const prompt = splitMarkers(user + input, builder, 'the prompt');
  if (builder.nextListImage === 0 && listImages > 0) {
    for (let k = 0; k < listImages; k++) prompt.splice(k, 0, { type: 'image', image: builder.nextListImage++ });
  }
  out.push({ role: 'user', content: prompt }, { role: 'assistant', content: splitMarkers(assistant, builder, 'the answer') });
  return true;
}

/** Images referenced by the row's image parts (for counting markers vs images). */
export function imagePartCount(messages: Message[]): number {
  let count = 0;
  for (const message of messages) for (const part of message.content) if (part.type === 'image') count++;
  return count;
}

