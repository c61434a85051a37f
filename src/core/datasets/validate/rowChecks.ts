/** Checks that need only the row itself: turn order, empty turns, image markers vs images. */
import type { DatasetRow, ProblemCode } from '../types';

export interface RowFinding {
  code: ProblemCode;
  message: string;
}

/**
 * Trainers (LLaVA's preprocess, most chat templates) need: an optional system turn first, then
 * user/assistant alternating, starting with user, with at least one assistant turn to learn from.
 */
export function roleOrder(row: DatasetRow): RowFinding | null {
  const turns = row.messages;
  if (turns.length === 0) return { code: 'bad_role_order', message: 'no turns at all' };
  let previous: string | null = null;
  let assistants = 0;
  for (let k = 0; k < turns.length; k++) {
    const role = turns[k]!.role;
    if (role === 'system') {
      if (k > 0) return { code: 'bad_role_order', message: `system turn at position ${k + 1}; it must come first` };
      continue;
    }
    if (previous === null && role === 'assistant') {
      return { code: 'bad_role_order', message: `turn ${k + 1} is an assistant turn with no user turn before it` };
    }
    if (role === previous) return { code: 'bad_role_order', message: `turns ${k} and ${k + 1} are both ${role} turns; user and assistant must alternate` };
    if (role === 'assistant') assistants++;
    previous = role;
  }
  if (previous === null) return { code: 'bad_role_order', message: 'only a system turn, no user or assistant turns' };
  if (assistants === 0) return { code: 'bad_role_order', message: 'no assistant turn: nothing to train on' };
  return null;
}

const NONE: RowFinding[] = [];
const NON_SPACE = /\S/; // a test, unlike trim(), allocates nothing

export function emptyTurns(row: DatasetRow): RowFinding[] {
  let findings = NONE;
  for (let k = 0; k < row.messages.length; k++) {
    const message = row.messages[k]!;
    let hasContent = false;
    for (const part of message.content) {
      if (part.type !== 'text' || NON_SPACE.test(part.text)) { hasContent = true; break; }
    }
    if (!hasContent) {
      if (findings === NONE) findings = [];
      findings.push({ code: 'empty_turn', message: `turn ${k + 1} (${message.role}) is empty` });
    }
  }
  return findings;
}

export function imageTokenMismatch(row: DatasetRow, imageToken = '<image>'): RowFinding | null {
  if (row.messages.length === 0) return null;
  let markers = 0;
  for (const message of row.messages) for (const part of message.content) if (part.type === 'image') markers++;
  if (markers === row.images.length) return null;
  const s = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return {
    code: 'image_token_mismatch',
    message: `${s(markers, `${imageToken} marker`)} but ${s(row.images.length, 'image')}; each image needs exactly one marker (the trainer fails with "image features and image tokens do not match")`,
  };
}
