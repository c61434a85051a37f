import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { TOKEN_ENV, type LocalPlan } from './launchPlan';
import { processStartTime } from './processInfo';

export type SpawnFn = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

/**
 * The worker's environment: the caller's minus every Hub token (the worker never pushes with one of
 * ours; see launchPlan), plus the plan's variables (PYTHONPATH prepended to any existing one).
 */
export function workerEnvironment(plan: { env: Record<string, string> }, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of TOKEN_ENV) delete env[name];
  for (const [key, value] of Object.entries(plan.env)) {
    env[key] = key === 'PYTHONPATH' && base.PYTHONPATH ? `${value}:${base.PYTHONPATH}` : value;
  }
  return env;
}

export interface SpawnedWorker {
  child: ChildProcess;
  pid: number;
  pidStartTime: string | null;
}

/**
 * Starts the worker detached in its own process group (it outlives the extension host), with stdout
 * and stderr appended to train.log, and lets go of it (`unref`). Rejects when it cannot start.
 */
export async function spawnDetached(plan: LocalPlan, env: NodeJS.ProcessEnv, header: string, spawn: SpawnFn = nodeSpawn): Promise<SpawnedWorker> {
  const logFd = openSync(plan.files.log, 'a');
  let child: ChildProcess;
  try {
    writeSync(logFd, header.endsWith('\n') ? header : `${header}\n`);
    child = spawn(plan.argv[0]!, plan.argv.slice(1), { cwd: plan.cwd, env, detached: true, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd); // the child holds its own copy
  }
  const started = await new Promise<SpawnedWorker>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`cannot start ${plan.argv[0]}: ${(error as NodeJS.ErrnoException).code ?? error.message}`)));
    child.once('spawn', () => resolve({ child, pid: child.pid!, pidStartTime: processStartTime(child.pid!) }));
  });
  child.on('error', () => undefined); // late errors (signals to a gone process) are not ours to raise
  child.unref();
  return started;
}

/** The last `count` lines of a file (reads only its tail), for crash reports. */
export async function lastLines(file: string, count = 20, maxBytes = 64 * 1024): Promise<string[]> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return [];
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const lines = buffer.toString('utf8').split('\n').map((l) => l.replace(/\r$/, ''));
    if (start > 0) lines.shift(); // probably cut mid-line
    while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
    return lines.slice(-count);
  } finally {
    await handle.close();
  }
}
