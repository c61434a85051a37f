/**
 * Supervises one run folder: launches the worker detached (it survives the extension), follows
 * events.jsonl, notices when the worker ends, stops it gracefully, resumes it, and reattaches after a
 * reload. run.json is the only state; any Supervisor for the same folder can pick up where another left.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { alertFor } from './alerts';
import type { ErrorEvent, FinishedEvent } from './events';
import { EventsTail } from './eventsTail';
import { localPlan, runFiles, shellQuote, type ResumeFrom } from './launchPlan';
import { oomSuggestions } from './oomAdvice';
import { isSameProcess, signalTree } from './processInfo';
import { workerLiveness } from './liveness';
import { decideOutcome } from './runOutcome';
import { newRunRecord, readRunRecord, resumedRunRecord, TERMINAL, writeRunRecord, type RunRecord, type RunState } from './runRecord';
import { SlurmClient, slurmPlan } from './slurm';
import { lastLines, spawnDetached, workerEnvironment } from './spawnWorker';
import type { LaunchRequest, ReattachResult, SupervisorDeps, SupervisorNotice } from './supervisorTypes';

export type { LaunchRequest, ReattachResult, SupervisorDeps, SupervisorNotice } from './supervisorTypes';

export class Supervisor {
  private record: RunRecord | null = null;
  private tail: EventsTail | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ownChildExit: { code: number | null; signal: string | null } | null | undefined;
  private finished: FinishedEvent | null = null;
  private errors: ErrorEvent[] = [];
  private seen = { nan: false };
  private listeners = new Set<(notice: SupervisorNotice) => void>();
  private endWaiters: (() => void)[] = [];
  private ticking: Promise<void> | null = null;
  private readonly deps: Required<Omit<SupervisorDeps, 'spawn' | 'fitAdvisor'>> & Pick<SupervisorDeps, 'spawn' | 'fitAdvisor'>;

  constructor(readonly runDir: string, deps: SupervisorDeps = {}) {
    this.deps = {
      spawn: deps.spawn, kill: deps.kill ?? process.kill.bind(process), now: deps.now ?? (() => new Date()),
      hostname: deps.hostname ?? osHostname, slurm: deps.slurm ?? new SlurmClient(), pollMs: deps.pollMs ?? 1000, env: deps.env ?? process.env,
      fitAdvisor: deps.fitAdvisor ?? oomSuggestions,
    };
  }

  get current(): RunRecord | null {
    return this.record;
  }

  onNotice(listener: (notice: SupervisorNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes run.json and starts the worker (or submits the SLURM job), then follows it. */
  async launch(request: LaunchRequest): Promise<RunRecord> {
    await mkdir(this.runDir, { recursive: true });
    const files = runFiles(this.runDir);
    if (existsSync(files.runJson)) {
      const previous = await readRunRecord(files.runJson).catch(() => null);
      if (previous && !TERMINAL.has(previous.status) && previous.pid !== null && isSameProcess({ pid: previous.pid, pidStartTime: previous.pidStartTime, runDir: this.runDir }, this.deps.kill)) {
        throw new Error(`${this.runDir} already has a live run (pid ${previous.pid}): stop it or pick another output_dir`);
      }
    }
    const name = request.name ?? this.runDir.split(/[\\/]/).filter(Boolean).pop() ?? 'run';
    this.record = newRunRecord({ name, config: request.config, plan: request.plan, host: this.deps.hostname(), now: this.deps.now(), gpus: request.gpus ?? [] });
    await this.start(request.secrets);
    return this.record;
  }

  /** Relaunches a stopped/crashed run in the same folder with `--resume latest|checkpoint-N`. */
  async resume(from: ResumeFrom, secrets?: Record<string, string>): Promise<RunRecord> {
    const record = this.record ?? await readRunRecord(runFiles(this.runDir).runJson);
    if (!TERMINAL.has(record.status)) throw new Error(`run ${this.runDir} is ${record.status}: stop it before resuming`);
    const checkpoints = (await readdir(this.runDir).catch(() => [] as string[])).filter((n) => /^checkpoint-\d+$/.test(n));
    if (from === 'latest' ? checkpoints.length === 0 : !checkpoints.includes(from)) {
      throw new Error(`no ${from === 'latest' ? 'checkpoint' : from} to resume from in ${this.runDir}`);
    }
    const options = { ...record.plan.options, resume: from };
    const plan = record.plan.kind === 'slurm' ? slurmPlan(options, record.plan.slurm) : localPlan(options);
    this.record = resumedRunRecord(record, plan, from, this.deps.hostname(), this.deps.now());
    await this.start(secrets);
    return this.record;
  }

  private async start(secrets?: Record<string, string>): Promise<void> {
    const record = this.record!;
    const { plan } = record;
    record.eventsOffset = await stat(plan.files.events).then((s) => s.size, () => 0);
    this.finished = null;
    this.errors = [];
    this.seen = { nan: false };
    this.ownChildExit = undefined;
    const env = workerEnvironment(plan, this.deps.env, secrets);
    if (plan.kind === 'slurm') {
      record.status = 'queued';
      await writeFile(plan.scriptPath, plan.script, { mode: 0o755 });
      await this.save();
      try {
        record.slurmJobId = await this.deps.slurm.submit(plan.scriptPath, env);
      } catch (error) {
        return this.end('failed', { message: (error as Error).message, logTail: [] });
      }
    } else {
      await this.save(); // the worker reads run.json as it starts
      const header = `[llava-studio] attempt ${record.attempt} at ${record.attemptStartedAt}: ${plan.argv.map(shellQuote).join(' ')}`;
      try {
        const worker = await spawnDetached(plan, env, header, this.deps.spawn);
        record.pid = worker.pid;
        record.pidStartTime = worker.pidStartTime;
        this.ownChildExit = null;
        worker.child.once('exit', (code, signal) => {
          this.ownChildExit = { code, signal };
          void this.tick();
        });
      } catch (error) {
        return this.end('failed', { message: (error as Error).message, logTail: [] });
      }
    }
    await this.save();
    this.emit({ kind: 'status', status: record.status, record });
    this.follow();
  }

  /** Picks up a run after a reload: follows it if its worker is alive, else records how it ended. */
  async reattach(): Promise<ReattachResult> {
    this.record = await readRunRecord(runFiles(this.runDir).runJson);
    if (TERMINAL.has(this.record.status)) return 'ended';
    this.follow(false);
    await this.tick();
    if (TERMINAL.has(this.record.status)) return 'ended';
    return this.record.host !== this.deps.hostname() && this.record.plan.kind === 'local' ? 'foreign-host' : 'following';
  }

  /** SIGTERM to the worker's process group (scancel --batch for SLURM), then SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<RunState> {
    const record = this.record ?? await readRunRecord(runFiles(this.runDir).runJson);
    this.record = record;
    if (TERMINAL.has(record.status)) return record.status;
    if (!this.timer) this.follow(false);
    await this.tick(); // a worker that is already gone ends as what it was, not as "stopped"
    if (TERMINAL.has(record.status)) return record.status;
    record.stopRequestedAt = this.deps.now().toISOString();
    await this.save();
    if (record.plan.kind === 'slurm' && record.slurmJobId && record.status === 'queued') {
      // Not started: nothing to checkpoint, and a pending job takes no signals.
      await this.deps.slurm.cancel(record.slurmJobId).catch(() => undefined);
      await this.end('stopped', null);
      return 'stopped';
    }
    await this.signal('SIGTERM');
    if (!(await this.waitForEnd(graceMs))) {
      await this.signal('SIGKILL');
      if (!(await this.waitForEnd(Math.max(10_000, 10 * this.deps.pollMs)))) await this.conclude();
    }
    return this.record!.status;
  }

  /** SIGTERM/SIGKILL to the worker's process tree, or its SLURM equivalent; never to a pid that is no longer ours. */
  private async signal(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const record = this.record!;
    if (record.plan.kind === 'slurm') {
      if (record.slurmJobId) await (signal === 'SIGTERM' ? this.deps.slurm.terminate(record.slurmJobId) : this.deps.slurm.cancel(record.slurmJobId)).catch(() => undefined);
      return;
    }
    if (record.pid === null) return;
    // Our own child's group id cannot be reused while any member lives; a reattached pid must prove itself.
    const ours = this.ownChildExit !== undefined || isSameProcess({ pid: record.pid, pidStartTime: record.pidStartTime, runDir: this.runDir }, this.deps.kill);
    if (ours) signalTree(record.pid, signal, this.deps.kill);
  }

  /** Resolves true when the run reaches an end state, false after `timeoutMs`. */
  waitForEnd(timeoutMs = Infinity): Promise<boolean> {
    if (this.record && TERMINAL.has(this.record.status)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = Number.isFinite(timeoutMs) ? setTimeout(() => resolve(false), timeoutMs) : null;
      this.endWaiters.push(() => {
        if (timer) clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Stops following (the worker keeps running). */
  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  private follow(fresh = true): void {
    const record = this.record!;
    if (fresh || !this.tail) this.tail = new EventsTail(record.plan.files.events, record.eventsOffset);
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => void this.tick(), this.deps.pollMs);
  }

  private tick(): Promise<void> {
    this.ticking ??= this.check().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async check(): Promise<void> {
    const record = this.record;
    if (!record || TERMINAL.has(record.status)) return;
    await this.drain();
    if (await this.workerAlive(record)) return;
    await this.conclude();
  }

  private async drain(): Promise<void> {
    if (!this.tail) return;
    const { events, bad } = await this.tail.read();
    for (const line of bad) this.emit({ kind: 'bad-line', line });
    for (const event of events) {
      if (event.type === 'finished') this.finished = event;
      if (event.type === 'error') this.errors.push(event);
      this.emit({ kind: 'event', event });
      const alert = alertFor(event, this.seen);
      if (alert?.kind === 'oom' && this.deps.fitAdvisor && this.record) {
        const record = this.record;
        void this.deps.fitAdvisor(record).catch(() => []).then((suggestions) => this.emit({ kind: 'alert', alert: { ...alert, suggestions } }));
      } else if (alert) this.emit({ kind: 'alert', alert });
    }
  }

  private async workerAlive(record: RunRecord): Promise<boolean> {
    const { alive, status } = await workerLiveness(record, {
      ownChildExit: this.ownChildExit, finished: this.finished !== null, hostname: this.deps.hostname(), kill: this.deps.kill, slurm: this.deps.slurm,
    });
    if (status !== null && status !== record.status) {
      record.status = status;
      await this.save();
      this.emit({ kind: 'status', status, record });
    }
    return alive;
  }

  /** The worker is gone: record how the run ended. */
  private async conclude(): Promise<void> {
    await this.drain();
    const record = this.record!;
    const { status, message } = decideOutcome({ finished: this.finished, errors: this.errors, stopRequested: record.stopRequestedAt !== null, exit: this.ownChildExit });
    return this.end(status, message === null ? null : { message, logTail: await lastLines(record.plan.files.log) });
  }

  private async end(status: RunState, error: RunRecord['error']): Promise<void> {
    const record = this.record!;
    record.status = status;
    record.error = error;
    record.endedAt = this.deps.now().toISOString();
    record.exitCode = this.ownChildExit?.code ?? null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.save();
    this.emit({ kind: 'status', status, record });
    for (const waiter of this.endWaiters.splice(0)) waiter();
  }

  private saving: Promise<void> = Promise.resolve();

  /** Serialized atomic writes of run.json (never two renames racing). */
  private save(): Promise<void> {
    const snapshot = structuredClone(this.record!);
    this.saving = this.saving.then(() => writeRunRecord(join(this.runDir, 'run.json'), snapshot));
    return this.saving;
  }

  private emit(notice: SupervisorNotice): void {
    for (const listener of this.listeners) listener(notice);
  }
}
