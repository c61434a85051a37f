/**
 * Is pid N still OUR worker? A pid alone is not proof: after the worker dies its number can be reused.
 * On Linux the kernel's start time (/proc/<pid>/stat field 22, clock ticks since boot) identifies a
 * process for good; elsewhere, and as a second witness, its command line names the run folder.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export type KillFn = (pid: number, signal: NodeJS.Signals | 0) => void;

interface Stat {
  state: string;
  ppid: number;
  pgid: number;
  startTime: string;
}

/** Fields of /proc/<pid>/stat, or null when there is no such process (or no /proc). */
export function readStat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm (field 2) is in parentheses and may itself contain spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '?', ppid: Number(fields[1]), pgid: Number(fields[2]), startTime: fields[19] ?? '' };
}

export const hasProc = (): boolean => readStat(process.pid) !== null;

/** Start time of `pid` as recorded in run.json (Linux clock ticks since boot), or null. */
export function processStartTime(pid: number): string | null {
  return readStat(pid)?.startTime ?? null;
}

export function processCmdline(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    if (hasProc()) return null;
  }
  try {
    return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** Alive = signal 0 reaches it (EPERM means it exists but is not ours) and it is not a zombie. */
export function isAlive(pid: number, kill: KillFn = process.kill): boolean {
  try {
    kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return readStat(pid)?.state !== 'Z';
}

export interface RecordedProcess {
  pid: number;
  /** From processStartTime() at launch; null where there is no /proc. */
  pidStartTime: string | null;
  runDir: string;
}

/** `pid` is alive and is the process that was recorded (same start time, or a command line naming the run). */
export function isSameProcess(recorded: RecordedProcess, kill: KillFn = process.kill): boolean {
  if (!isAlive(recorded.pid, kill)) return false;
  const start = processStartTime(recorded.pid);
  if (start !== null && recorded.pidStartTime !== null) return start === recorded.pidStartTime;
  const cmdline = processCmdline(recorded.pid);
  return cmdline !== null && cmdline.includes(recorded.runDir);
}

/** Every descendant of `pid` (Linux; empty elsewhere): launchers may start workers in their own process groups. */
export function descendants(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const name of entries) {
    const stat = readStat(Number(name));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(name));
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    for (const child of children.get(stack.pop()!) ?? []) {
      out.push(child);
      stack.push(child);
    }
  }
  return out;
}

/**
 * Stop signals for a local worker tree.
 *
 * SIGTERM goes to the leader alone. For `python -m llava_studio_worker.train` the leader is the trainer:
 * it checkpoints and then shuts its DataLoader workers down itself. Those workers exit quietly only on a
 * SIGTERM from their parent (torch's handler re-raises any other SIGTERM, and the trainer then dies with
 * "DataLoader worker … is killed by signal: Terminated"), so a group-wide SIGTERM would turn a stop into
 * a crash. For `accelerate launch` the leader is the launcher, which runs torch.distributed.elastic's
 * agent in-process: on SIGTERM it signals each rank's session (`os.killpg`, ranks are started with
 * `start_new_session=True`, so a rank's DataLoader workers get it too — the worker ignores SIGTERM in
 * them for that reason) and SIGKILLs ranks still alive after its own 30 s (`PContext.close(timeout=30)`).
 *
 * SIGKILL goes to the leader's group and to every descendant, which covers the ranks' own sessions.
 */
export function signalTree(pid: number, signal: 'SIGTERM' | 'SIGKILL', kill: KillFn = process.kill): void {
  const attempt = (target: number): void => {
    try {
      kill(target, signal);
    } catch {
      // already gone, or not ours: nothing to do
    }
  };
  if (signal === 'SIGTERM') {
    attempt(pid);
    return;
  }
  const tree = descendants(pid); // before the kill: orphans are re-parented and no longer found
  attempt(-pid);
  for (const child of tree) attempt(child);
}
