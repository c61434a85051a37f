/**
 * How the dataset settings' paths are read (vscode-free, so tests pin it): `~` is the home folder,
 * `${workspaceFolder}` the first workspace folder, and a relative path is relative to `base`.
 */
import { isAbsolute, join, resolve } from 'node:path';

export const DEFAULT_MAX_LENGTH = 2048;

export function resolveSettingPath(value: string | undefined, base: string, home: string, workspaceFolder: string | undefined): string | null {
  let text = (value ?? '').trim();
  if (text === '') return null;
  if (workspaceFolder) text = text.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  if (text === '~' || text.startsWith('~/') || text.startsWith('~\\')) text = join(home, text.slice(1));
  return isAbsolute(text) ? resolve(text) : resolve(base, text);
}

/** A usable max length, or the default (a setting typed by hand can be anything). */
export function sanitizeMaxLength(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 10_000_000 ? value : DEFAULT_MAX_LENGTH;
}

/** 1.0 GB, 12.3 MB, 512 B. */
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
