// Small process helpers shared by the build, packaging, start and e2e scripts.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** The repository root (scripts/lib/../..). */
export const repoRoot = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/**
 * Run a command to completion. Output goes to this process's stdio unless `logFile` is given, in
 * which case both streams are appended there. Rejects with the exit code and, for a log file, its tail.
 */
export async function run(cmd, args, { cwd = repoRoot, env = process.env, logFile, quiet = false } = {}) {
  const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : null;
  if (log) log.write(`\n$ ${cmd} ${args.join(' ')}\n`);
  // Own process group, so an interrupted script takes npm's and node-gyp's children with it.
  const child = spawn(cmd, args, {
    cwd,
    env,
    detached: true,
    stdio: log || quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
  });
  const untrack = trackGroup(child.pid);
  const chunks = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (data) => {
      if (log) log.write(data);
      else chunks.push(data);
    });
  }
  const [code, signal] = await once(child, 'close');
  untrack();
  if (log) await new Promise((resolve) => log.end(resolve));
  const output = Buffer.concat(chunks).toString('utf8');
  if (code !== 0) {
    const error = new Error(`${cmd} ${args.join(' ')} exited with ${signal ?? code}${quiet && output ? `:\n${tail(output, 40)}` : ''}`);
    error.output = output;
    throw error;
  }
  return output;
}

const liveGroups = new Set();
let cleanupInstalled = false;

/** Remember a detached child's process group so that our exit or Ctrl-C ends it too. */
export function trackGroup(pid) {
  if (!pid) return () => {};
  liveGroups.add(pid);
  if (!cleanupInstalled) {
    cleanupInstalled = true;
    const killAll = (signal) => {
      for (const group of liveGroups) {
        try {
          process.kill(-group, signal);
        } catch {
          // already gone
        }
      }
    };
    process.on('exit', () => killAll('SIGTERM'));
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
      process.on(signal, () => {
        killAll('SIGTERM');
        if (process.listenerCount(signal) === 1) process.exit(code); // else its other listener decides
      });
    }
  }
  return () => liveGroups.delete(pid);
}

/** The last `lines` lines of a text. */
export function tail(text, lines = 30) {
  return text.split('\n').slice(-lines).join('\n');
}

/** Seconds since `start` (a `performance.now()` value), one decimal. */
export function seconds(start) {
  return ((performance.now() - start) / 1000).toFixed(1);
}

/** Kill a detached child's whole process group: SIGTERM, then SIGKILL after `graceMs`. */
export async function killGroup(pid, graceMs = 5000) {
  if (!pid) return;
  const alive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
