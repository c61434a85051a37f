/** Number and size formatting for the panel (pure). */
export const n = (value: number): string => Math.round(value).toLocaleString('en-US');

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function percent(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  const p = Math.min(100, (100 * part) / whole);
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.floor(p)}%`;
}

/** 1.2k, 35k, 2.1M: short tick labels. */
export function compact(value: number): string {
  if (value < 1000) return String(Math.round(value));
  if (value < 1e6) return `${Number((value / 1000).toFixed(value < 10_000 ? 1 : 0))}k`;
  return `${Number((value / 1e6).toFixed(1))}M`;
}

/** A tick step of 1, 2 or 5 × 10^k giving about `target` ticks over `span`. */
export function niceStep(span: number, target: number): number {
  if (span <= 0 || target <= 0) return 1;
  const raw = span / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

/** Human names of the problem codes, for chips and the filter menu. */
export const ISSUE_LABELS: Record<string, string> = {
  invalid_json: 'Invalid JSON',
  missing_field: 'Missing field',
  bad_role_order: 'Bad role order',
  empty_turn: 'Empty turn',
  image_missing: 'Image missing',
  image_unreadable: 'Image unreadable',
  image_too_large: 'Image too large',
  image_outside_root: 'Image outside root',
  image_token_mismatch: 'Image token mismatch',
  unsupported_content: 'Unsupported content',
  too_long: 'Too long',
  duplicate_id: 'Duplicate id',
};
