/**
 * The runs this window supervises: one core Supervisor per run folder, launched, resumed, reattached
 * after a reload, stopped. It folds notices into LiveRun views for the status bar and notifications,
 * and tells the Runs view and Scalars panels to re-read a run (throttled). No vscode here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ResumeFrom } from '../../core/training/launchPlan';
import { readRunRecord, TERMINAL, type RunRecord, type RunState } from '../../core/training/runRecord';
import type { Supervisor } from '../../core/training/supervisor';
import type { LaunchRequest, ReattachResult, SupervisorNotice } from '../../core/training/supervisorTypes';
import { alertView, endView, isEnd, liveRunOf, reduceNotice, type AlertView, type LiveRun } from './liveState';

export interface TrainingRunsDeps {
  createSupervisor(runDir: string): Supervisor;
  /** Grace period before SIGKILL (llavaStudio.training.stopGraceSeconds). */
  graceMs(): number;
  /** A run's view changed (status bar, progress notification). `ended` on the notice that ends an attempt. */
  onChange(run: LiveRun, ended: boolean): void;
  onAlert(run: LiveRun, view: AlertView): void;
  /** An attempt finished training (status `finished`): the place to push final/ when the config asks for it. */
  onFinished?(run: LiveRun, record: RunRecord): void;
  /** The run's files changed: Runs view node + Scalars panels re-read it. */
  pokeRun(runDir: string): void;
  /** A run folder appeared (rescan the roots). */
  refreshRuns(): void;
  log(message: string): void;
  /** Minimum time between two pokes of one run (ms). */
  pokeIntervalMs?: number;
}

interface Entry {
  supervisor: Supervisor;
  live: LiveRun;
  unsubscribe: () => void;
  lastPoke: number;
  pokeTimer: NodeJS.Timeout | null;
}

export class TrainingRuns {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(run: LiveRun) => void>();

  constructor(private readonly deps: TrainingRunsDeps) {}

  /** Runs followed now, most recently started first. */
  list(): LiveRun[] {
    return [...this.entries.values()].map((e) => e.live).reverse();
  }

  get(runDir: string): LiveRun | undefined {
    return this.entries.get(runDir)?.live;
  }

  /** Whether a worker of this run is followed and still going. */
  isLive(runDir: string): boolean {
    const live = this.get(runDir);
    return live !== undefined && !TERMINAL.has(live.status);
  }

  async launch(request: LaunchRequest): Promise<LiveRun> {
    const runDir = request.plan.runDir;
    const entry = this.follow(runDir);
    const record = await entry.supervisor.launch(request);
    entry.live = liveRunOf(record, runDir);
    this.changed(entry, TERMINAL.has(record.status));
    this.deps.refreshRuns();
    return entry.live;
  }

  async resume(runDir: string, from: ResumeFrom): Promise<LiveRun> {
    const entry = this.follow(runDir);
    const record = await entry.supervisor.resume(from);
    entry.live = liveRunOf(record, runDir);
    this.changed(entry, TERMINAL.has(record.status));
    return entry.live;
  }

  /**
   * Picks up a run after a reload. A dead worker's run ends as crashed (or as what its last events
   * say) with the last log lines; a live one is followed again. Returns null for a folder without
   * a LLaVA Studio run.json.
   */
  async reattach(runDir: string): Promise<{ result: ReattachResult; run: LiveRun } | null> {
    if (!existsSync(join(runDir, 'run.json'))) return null;
    const before = await readRunRecord(join(runDir, 'run.json')).catch(() => null);
    if (!before || TERMINAL.has(before.status)) return null;
    const entry = this.follow(runDir);
    entry.live = liveRunOf(before, runDir);
    const result = await entry.supervisor.reattach();
    const after = entry.supervisor.current;
    if (after) entry.live = { ...entry.live, status: after.status, error: after.error, slurmJobId: after.slurmJobId };
    // An end was announced through the notices (alert, poke) as the supervisor wrote it.
    if (result === 'ended') this.release(runDir);
    else this.changed(entry, false);
    return { result, run: entry.live };
  }

  /** SIGTERM → checkpoint → stopped; SIGKILL of the whole tree after the grace period. Resolves with how it ended. */
  async stop(runDir: string): Promise<RunState> {
    const entry = this.entries.get(runDir) ?? this.follow(runDir);
    entry.live = { ...entry.live, stopping: true };
    this.changed(entry, false);
    return entry.supervisor.stop(this.deps.graceMs());
  }

  onDidChange(listener: (run: LiveRun) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops following every run; the workers keep running (a reload reattaches). */
  dispose(): void {
    for (const runDir of [...this.entries.keys()]) this.release(runDir);
    this.listeners.clear();
  }

  private follow(runDir: string): Entry {
    const existing = this.entries.get(runDir);
    if (existing) return existing;
    const supervisor = this.deps.createSupervisor(runDir);
    const entry: Entry = {
      supervisor,
      live: { runDir, name: runDir.split(/[\\/]/).filter(Boolean).pop() ?? runDir, status: 'queued', attempt: 0, step: null, total: null, loss: null, itPerSec: null, etaSeconds: null, lastCheckpoint: null, finalDir: null, slurmJobId: null, stopping: false, error: null, alerted: [], pushTo: null },
      unsubscribe: () => undefined,
      lastPoke: 0,
      pokeTimer: null,
    };
    entry.unsubscribe = supervisor.onNotice((notice) => this.onNotice(entry, notice));
    this.entries.set(runDir, entry);
    return entry;
  }

  private onNotice(entry: Entry, notice: SupervisorNotice): void {
    entry.live = reduceNotice(entry.live, notice);
    if (notice.kind === 'bad-line') this.deps.log(`${entry.live.runDir}/events.jsonl byte ${notice.line.offset}: ${notice.line.reason}`);
    if (notice.kind === 'alert') this.deps.onAlert(entry.live, alertView(notice.alert, entry.live));
    const ended = notice.kind === 'status' && isEnd(notice.status);
    if (ended) {
      const view = endView(entry.live);
      if (view) this.deps.onAlert(entry.live, view);
      if (notice.status === 'finished') this.deps.onFinished?.(entry.live, notice.record);
    }
    const urgent = ended || notice.kind === 'status' || (notice.kind === 'event' && (notice.event.type === 'checkpoint' || notice.event.type === 'started'));
    this.poke(entry, urgent);
    this.changed(entry, ended);
  }

  private poke(entry: Entry, now: boolean): void {
    const interval = this.deps.pokeIntervalMs ?? 1000;
    const due = entry.lastPoke + interval - Date.now();
    if (now || due <= 0) {
      if (entry.pokeTimer) clearTimeout(entry.pokeTimer);
      entry.pokeTimer = null;
      entry.lastPoke = Date.now();
      this.deps.pokeRun(entry.live.runDir);
      return;
    }
    entry.pokeTimer ??= setTimeout(() => {
      entry.pokeTimer = null;
      entry.lastPoke = Date.now();
      this.deps.pokeRun(entry.live.runDir);
    }, due);
  }

  private changed(entry: Entry, ended: boolean): void {
    this.deps.onChange(entry.live, ended);
    for (const listener of this.listeners) listener(entry.live);
  }

  private release(runDir: string): void {
    const entry = this.entries.get(runDir);
    if (!entry) return;
    entry.unsubscribe();
    entry.supervisor.dispose();
    if (entry.pokeTimer) clearTimeout(entry.pokeTimer);
    this.entries.delete(runDir);
  }
}
