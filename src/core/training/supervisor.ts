/**
 * Supervises one run folder: launches the worker detached (it survives the extension), follows
 * events.jsonl, notices when the worker ends, stops it gracefully, resumes it, and reattaches after a
 * reload. run.json is the only state; any Supervisor for the same folder can pick up where another left,
 * a pending stop included (its SIGKILL deadline is in run.json).
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
import { isSameProcess } from './processInfo';
import { PollGate, workerLiveness } from './liveness';
import { decideOutcome } from './runOutcome';
import { newRunRecord, readRunRecord, resumedRunRecord, TERMINAL, writeRunRecord, type RunRecord, type RunState } from './runRecord';
import { SlurmClient, slurmPlan } from './slurm';
import { lastLines, spawnDetached, workerEnvironment } from './spawnWorker';
import { forceDue, signalRun, stopFields } from './stopControl';
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
  /** SLURM is asked every slurmPollMs, and at once when something suggests the job changed. */
  private readonly slurmGate: PollGate;
  private listeners = new Set<(notice: SupervisorNotice) => void>();
  private endWaiters: (() => void)[] = [];
  private ticking: Promise<void> | null = null;
  private readonly deps: Required<Omit<SupervisorDeps, 'spawn' | 'fitAdvisor'>> & Pick<SupervisorDeps, 'spawn' | 'fitAdvisor'>;

  constructor(readonly runDir: string, deps: SupervisorDeps = {}) {
    this.deps = {
      spawn: deps.spawn, kill: deps.kill ?? process.kill.bind(process), now: deps.now ?? (() => new Date()),
      hostname: deps.hostname ?? osHostname, slurm: deps.slurm ?? new SlurmClient(), pollMs: deps.pollMs ?? 1000, env: deps.env ?? process.env,
      fitAdvisor: deps.fitAdvisor ?? oomSuggestions, slurmPollMs: deps.slurmPollMs ?? 30_000, stopGraceMs: deps.stopGraceMs ?? 120_000,
    };
    this.slurmGate = new PollGate(this.deps.slurmPollMs);
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
    await this.start();
    return this.record;
  }

  /** Relaunches a stopped/crashed run in the same folder with `--resume latest|checkpoint-N`. */
  async resume(from: ResumeFrom): Promise<RunRecord> {
    const record = this.record ?? await readRunRecord(runFiles(this.runDir).runJson);
    if (!TERMINAL.has(record.status)) throw new Error(`run ${this.runDir} is ${record.status}: stop it before resuming`);
    const checkpoints = (await readdir(this.runDir).catch(() => [] as string[])).filter((n) => /^checkpoint-\d+$/.test(n));
    if (from === 'latest' ? checkpoints.length === 0 : !checkpoints.includes(from)) {
      throw new Error(`no ${from === 'latest' ? 'checkpoint' : from} to resume from in ${this.runDir}`);
    }
    const options = { ...record.plan.options, resume: from };
    const plan = record.plan.kind === 'slurm' ? slurmPlan(options, record.plan.slurm) : localPlan(options);
    this.record = resumedRunRecord(record, plan, from, this.deps.hostname(), this.deps.now());
    await this.start();
    return this.record;
  }

  private async start(): Promise<void> {
    const record = this.record!;
    const { plan } = record;
    record.eventsOffset = await stat(plan.files.events).then((s) => s.size, () => 0);
    this.finished = null;
    this.errors = [];
    this.seen = { nan: false };
    this.ownChildExit = undefined;
    this.slurmGate.soon();
    const env = workerEnvironment(plan, this.deps.env);
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

  /**
   * SIGTERM to the worker (scancel --signal=TERM for SLURM), then SIGKILL to its tree (scancel) after `graceMs`.
   * The deadline goes into run.json first: a window that reattaches later still kills a worker that never stopped.
   */
  async stop(graceMs: number): Promise<RunState> {
    const record = this.record ?? await readRunRecord(runFiles(this.runDir).runJson);
    this.record = record;
    if (TERMINAL.has(record.status)) return record.status;
    if (!this.timer) this.follow(false);
    this.slurmGate.soon();
    await this.tick(); // a worker that is already gone ends as what it was, not as "stopped"
    if (TERMINAL.has(record.status)) return record.status;
    const now = this.deps.now().getTime();
    const { deadline, ...fields } = stopFields(record, now, graceMs);
    Object.assign(record, fields);
    await this.save();
    if (record.plan.kind === 'slurm' && record.slurmJobId && record.status === 'queued') {
      // Not started: nothing to checkpoint, and a pending job takes no signals.
      await this.deps.slurm.cancel(record.slurmJobId).catch(() => undefined);
      await this.end('stopped', null);
      return 'stopped';
    }
    await this.signal('SIGTERM');
    if (!(await this.waitForEnd(Math.max(0, deadline - now)))) {
      await this.force();
      if (!(await this.waitForEnd(Math.max(10_000, 10 * this.deps.pollMs)))) await this.conclude();
    }
    return this.record!.status;
  }

  /** SIGKILL (scancel) once; a later tick tries again when SLURM could not be reached. */
  private async force(): Promise<void> {
    const record = this.record!;
    if (record.stopForcedAt !== null) return;
    record.stopForcedAt = this.deps.now().toISOString();
    await this.save();
    this.slurmGate.soon();
    if (await this.signal('SIGKILL')) return;
    record.stopForcedAt = null;
    await this.save();
  }

  private signal(signal: 'SIGTERM' | 'SIGKILL'): Promise<boolean> {
    return signalRun(this.record!, signal, { ownChild: this.ownChildExit !== undefined, kill: this.deps.kill, slurm: this.deps.slurm });
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
    // Local processes are checked on every tick, the SLURM controller only when the gate says so.
    if ((record.plan.kind === 'slurm' && !this.slurmGate.take()) || await this.workerAlive(record)) {
      // A stop past its grace period (asked here, or in a window that has since closed) ends by force.
      if (!TERMINAL.has(record.status) && forceDue(record, this.deps.now().getTime(), this.deps.stopGraceMs)) await this.force();
      return;
    }
    await this.conclude();
  }

  private async drain(): Promise<void> {
    if (!this.tail) return;
    const { events, bad } = await this.tail.read();
    for (const line of bad) this.emit({ kind: 'bad-line', line });
    for (const event of events) {
      if (event.type === 'finished') {
        this.finished = event;
        this.slurmGate.soon(); // the job ends soon: ask SLURM at the next tick
      }
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
    const { status, message } = decideOutcome({
      finished: this.finished, errors: this.errors, stopRequested: record.stopRequestedAt !== null, forced: record.stopForcedAt !== null, exit: this.ownChildExit,
    });
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
