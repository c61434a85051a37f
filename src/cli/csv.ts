/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
export function toCsvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
