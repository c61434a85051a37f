/**
 * What the UI shows about a running fine-tune, folded from the supervisor's notices: the status-bar
 * text, and which alerts (NaN loss, out of memory, completion, a stop, a crash) deserve a notification
 * with which actions. Pure functions, no vscode: unit-tested.
 */
import { basename } from 'node:path';
import type { Alert } from '../../core/training/alerts';
import type { FitSuggestion } from '../../core/training/fit';
import type { RunRecord, RunState } from '../../core/training/runRecord';
import type { SupervisorNotice } from '../../core/training/supervisorTypes';

export interface LiveRun {
  runDir: string;
  name: string;
  status: RunState;
  attempt: number;
  step: number | null;
  total: number | null;
  loss: number | null;
  itPerSec: number | null;
  etaSeconds: number | null;
  lastCheckpoint: string | null;
  finalDir: string | null;
  slurmJobId: string | null;
  /** A stop was asked for and the worker is saving its checkpoint. */
  stopping: boolean;
  error: RunRecord['error'];
  /** Alert kinds already shown for this attempt (an OOM alert makes the "failed" end notice redundant). */
  alerted: string[];
  /** The Hub repository the run's config pushes to when it finishes (LLaVA Studio pushes it then), or null. */
  pushTo: string | null;
}

export function liveRunOf(record: RunRecord, runDir: string): LiveRun {
  return {
    runDir, name: record.name || basename(runDir), status: record.status, attempt: record.attempt, step: null, total: null, loss: null,
    itPerSec: null, etaSeconds: null, lastCheckpoint: null, finalDir: null, slurmJobId: record.slurmJobId,
    stopping: record.stopRequestedAt !== null && record.endedAt === null, error: record.error, alerted: [],
    pushTo: record.config?.push?.repo_id ?? null,
  };
}

/** The run after one notice (a new object; the input is not changed). */
export function reduceNotice(run: LiveRun, notice: SupervisorNotice): LiveRun {
  switch (notice.kind) {
    case 'status': {
      const r = notice.record;
      const fresh = r.attempt !== run.attempt;
      return {
        ...run, status: notice.status, attempt: r.attempt, slurmJobId: r.slurmJobId, error: r.error,
        stopping: r.stopRequestedAt !== null && r.endedAt === null, alerted: fresh ? [] : run.alerted,
      };
    }
    case 'alert':
      return { ...run, alerted: [...run.alerted, notice.alert.kind] };
    case 'bad-line':
      return run;
    case 'event': {
      const e = notice.event;
      // A loss the worker names as non-finite shows as NaN, not as the last finite one.
      if (e.type === 'progress') return { ...run, step: e.step, total: e.total ?? run.total, loss: e.nonfinite?.includes('loss') ? Number.NaN : e.loss ?? run.loss, itPerSec: e.itPerSec, etaSeconds: e.etaSeconds };
      if (e.type === 'log' && e.nonfinite?.includes('loss')) return { ...run, loss: Number.NaN, step: e.step ?? run.step };
      if (e.type === 'log' && typeof e.scalars.loss === 'number') return { ...run, loss: e.scalars.loss, step: e.step ?? run.step };
      if (e.type === 'checkpoint') return { ...run, lastCheckpoint: e.path };
      if (e.type === 'finished') return { ...run, step: e.step ?? run.step, finalDir: e.finalDir, lastCheckpoint: e.checkpoint ?? run.lastCheckpoint };
      return run;
    }
  }
}

/** "42 s", "3 min", "1 h 05 min". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  return `${h} h ${String(Math.round((seconds - h * 3600) / 60)).padStart(2, '0')} min`;
}

/** Loss with four significant digits; "NaN" for a diverged one. */
export function formatLoss(loss: number | null): string {
  if (loss === null) return '–';
  if (!Number.isFinite(loss)) return String(loss);
  return loss >= 100 ? loss.toFixed(1) : loss.toPrecision(4);
}

const speed = (itPerSec: number | null): string | null => {
  if (itPerSec === null || !Number.isFinite(itPerSec) || itPerSec <= 0) return null;
  return itPerSec >= 1 ? `${itPerSec.toFixed(2)} it/s` : `${(1 / itPerSec).toFixed(1)} s/it`;
};

export function progressFraction(run: LiveRun): number | null {
  return run.step !== null && run.total ? Math.min(1, run.step / run.total) : null;
}

/** The status-bar item: `$(sync~spin) name 120/500 · loss 0.8731 · 2.10 it/s · ETA 3 min`, and its tooltip. */
export function statusBarText(run: LiveRun): { text: string; tooltip: string } {
  const icon = run.stopping ? '$(loading~spin)' : run.status === 'queued' ? '$(clock)' : '$(sync~spin)';
  const parts: string[] = [];
  if (run.stopping) parts.push('stopping…');
  else if (run.status === 'queued') parts.push(run.slurmJobId ? `queued (SLURM ${run.slurmJobId})` : 'queued');
  else if (run.step === null) parts.push('starting…');
  else {
    parts.push(run.total ? `${run.step}/${run.total}` : `step ${run.step}`);
    if (run.loss !== null) parts.push(`loss ${formatLoss(run.loss)}`);
    const s = speed(run.itPerSec);
    if (s) parts.push(s);
    if (run.etaSeconds !== null) parts.push(`ETA ${formatDuration(run.etaSeconds)}`);
  }
  const text = `${icon} ${run.name} ${parts.join(' · ')}`;
  const tooltip = [
    `LLaVA Studio: ${run.name} (${run.stopping ? 'stopping' : run.status})`,
    run.runDir,
    run.step !== null ? `step ${run.step}${run.total ? ` of ${run.total}` : ''}${run.loss !== null ? `, loss ${formatLoss(run.loss)}` : ''}` : null,
    run.lastCheckpoint ? `last checkpoint: ${basename(run.lastCheckpoint)}` : null,
    'Click to open its Scalars.',
  ].filter((line): line is string => line !== null).join('\n');
  return { text, tooltip };
}

/** What a notification offers; registerTraining maps each to a command. */
export type AlertAction = 'pushToHub' | 'chatWithAdapter' | 'openScalars' | 'openLog' | 'stop' | 'resume' | 'refit';

export interface AlertView {
  severity: 'info' | 'warning' | 'error';
  message: string;
  actions: AlertAction[];
  /** For `refit`: the cheapest settings that would fit. */
  changes?: FitSuggestion['changes'];
}

/** The notification for a worker alert (NaN/inf loss, out of memory with the settings that would fit, completion). */
export function alertView(alert: Alert, run: LiveRun): AlertView {
  switch (alert.kind) {
    case 'nan-loss':
      return { severity: 'warning', message: `${run.name}: ${alert.message}`, actions: ['stop', 'openScalars'] };
    case 'oom': {
      const fits = alert.suggestions.map((s) => s.description.join('; '));
      const tail = fits.length > 0 ? ` Settings that would fit: ${fits.map((f, i) => `(${i + 1}) ${f}`).join(' ')}` : ' No setting tried would fit this GPU: use a smaller model or a bigger GPU.';
      const first = alert.suggestions[0];
      return { severity: 'error', message: `${run.name}: ${alert.message}.${tail}`, actions: first ? ['refit', 'openLog'] : ['openLog'], ...(first ? { changes: first.changes } : {}) };
    }
    case 'completed':
      // A run that pushes itself is being pushed now (its own notification): no second push offered.
      return run.pushTo
        ? { severity: 'info', message: `${run.name}: ${alert.message}; pushing to ${run.pushTo}`, actions: ['chatWithAdapter', 'openScalars'] }
        : { severity: 'info', message: `${run.name}: ${alert.message}`, actions: ['pushToHub', 'chatWithAdapter', 'openScalars'] };
  }
}

/**
 * The notification for how an attempt ended, or null when an alert already said it (completion, an
 * out-of-memory failure) or nothing ended.
 */
export function endView(run: LiveRun): AlertView | null {
  switch (run.status) {
    case 'stopped': {
      const at = run.lastCheckpoint ? `; ${basename(run.lastCheckpoint)} saved` : '';
      const forced = run.error ? ` (${run.error.message})` : '';
      return { severity: 'info', message: `${run.name}: stopped${run.step !== null ? ` at step ${run.step}` : ''}${at}${forced}.`, actions: ['resume', 'openLog'] };
    }
    case 'failed':
    case 'crashed': {
      if (run.alerted.includes('oom')) return null;
      const last = run.error?.logTail.filter((l) => l.trim()).at(-1);
      const why = run.error?.message ?? 'the worker ended without a word';
      return {
        severity: 'error',
        message: `${run.name}: ${run.status}: ${why}${last && !why.includes(last) ? ` — last log line: ${last}` : ''}`,
        actions: ['openLog', 'resume'],
      };
    }
    default:
      return null;
  }
}

/** Whether the notice ends the attempt (the progress notification closes then). */
export const isEnd = (status: RunState): boolean => status === 'finished' || status === 'stopped' || status === 'crashed' || status === 'failed';
