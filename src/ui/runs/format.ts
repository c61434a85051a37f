import type { RunStatus } from '../../core/runs/types';

/** "3 min ago", "2 h ago", "5 d ago". */
export function timeAgo(epochMs: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - epochMs) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 60) return `${days} d ago`;
  return new Date(epochMs).toISOString().slice(0, 10);
}

export function formatLoss(value: number | null): string {
  if (value === null) return '';
  return Math.abs(value) >= 0.001 && Math.abs(value) < 1e5 ? value.toFixed(4) : value.toExponential(3);
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export const STATUS_LABEL: Record<RunStatus, string> = {
  live: 'live', finished: 'finished', stopped: 'stopped', crashed: 'crashed', queued: 'queued', unknown: 'idle',
};
