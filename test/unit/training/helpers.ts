import type { Supervisor, SupervisorNotice } from '../../../src/core/training/supervisor';

/** Polls `check` until it returns a truthy value; fails with `what` after `timeoutMs` (no fixed sleeps). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Everything a supervisor reports, in order. */
export function record(supervisor: Supervisor): SupervisorNotice[] {
  const notices: SupervisorNotice[] = [];
  supervisor.onNotice((n) => notices.push(n));
  return notices;
}

export const eventsOf = (notices: SupervisorNotice[], type: string): unknown[] =>
  notices.flatMap((n) => (n.kind === 'event' && n.event.type === type ? [n.event] : []));

export const statuses = (notices: SupervisorNotice[]): string[] => notices.flatMap((n) => (n.kind === 'status' ? [n.status] : []));
