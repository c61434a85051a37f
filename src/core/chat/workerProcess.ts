import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { encodeRequest, parseWorkerLine, type ErrorLine, type WorkerLine, type WorkerRequest } from './workerProtocol';

export interface WorkerExit {
  code: number | null;
  signal: string | null;
  /** Set when the process could not be started at all (ENOENT: no such interpreter). */
  spawnError: NodeJS.ErrnoException | null;
  /** The worker's own last word: an error line with id null, printed before it exited. */
  fatal: ErrorLine | null;
  /** Last lines of stderr (and of stray non-protocol stdout), for the error message. */
  tail: string[];
}

const TAIL_LINES = 20;

/** One running worker: JSON lines in and out, stderr kept for diagnostics, whole process group stopped. */
export class WorkerProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly tail: string[] = [];
  private fatal: ErrorLine | null = null;
  private spawnError: NodeJS.ErrnoException | null = null;
  private exited = false;
  readonly done: Promise<WorkerExit>;

  constructor(options: {
    command: string[];
    env?: Record<string, string>;
    cwd?: string;
    onLine: (line: WorkerLine) => void;
  }) {
    const [file, ...args] = options.command;
    this.child = spawn(file!, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' },
      stdio: ['pipe', 'pipe', 'pipe'],
      // Own process group, so stop() reaches torch's helper processes too.
      detached: process.platform !== 'win32',
    });
    // A worker that dies while we write must not crash the extension host.
    this.child.stdin.on('error', () => {});
    this.child.stdout.on('error', () => {});
    this.child.stderr.on('error', () => {});
    this.readLines(this.child.stdout, (text) => {
      const line = parseWorkerLine(text);
      if (!line) return this.keep(`(stdout) ${text}`);
      if (line.type === 'error' && line.id === null) this.fatal = line;
      options.onLine(line);
    });
    this.readLines(this.child.stderr, (text) => this.keep(text));
    this.done = new Promise((resolve) => {
      this.child.once('error', (error: NodeJS.ErrnoException) => {
        this.spawnError = error;
        this.exited = true;
        resolve(this.exit(null, null));
      });
      this.child.once('close', (code, signal) => {
        this.exited = true;
        resolve(this.exit(code, signal));
      });
    });
  }

  get running(): boolean {
    return !this.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(request: WorkerRequest): void {
    if (!this.exited && this.child.stdin.writable) this.child.stdin.write(encodeRequest(request));
  }

  /** Asks politely (shutdown + close stdin), then SIGTERM, then SIGKILL, each after `graceMs`. */
  async stop(graceMs = 3000): Promise<WorkerExit> {
    if (!this.exited) {
      this.send({ type: 'shutdown' });
      this.child.stdin.end();
      for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
        if (await settlesWithin(this.done, graceMs)) break;
        this.kill(signal);
      }
    }
    return this.done;
  }

  private kill(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      if (process.platform !== 'win32') process.kill(-pid, signal);
      else this.child.kill(signal);
    } catch {
      this.child.kill(signal);
    }
  }

  private keep(line: string): void {
    if (!line.trim()) return;
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
  }

  private exit(code: number | null, signal: NodeJS.Signals | null): WorkerExit {
    return { code, signal, spawnError: this.spawnError, fatal: this.fatal, tail: [...this.tail] };
  }

  private readLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        onLine(buffer.slice(0, newline).replace(/\r$/, ''));
        buffer = buffer.slice(newline + 1);
      }
    });
    stream.on('end', () => {
      if (buffer) onLine(buffer);
      buffer = '';
    });
  }
}

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
