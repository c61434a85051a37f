import type { ScalarsRun } from '../../protocol/scalars';

/** Why a run shows no charts, in words a user can act on; null when it has scalars, failed, or is still loading. */
export function emptyReason(run: Pick<ScalarsRun, 'origin' | 'error' | 'eventFiles'>, tags: number): string | null {
  if (tags > 0 || run.origin === 'pending' || run.error) return null;
  if (run.eventFiles > 0) {
    return run.eventFiles === 1
      ? 'graph-only event file: no scalar summaries'
      : `${run.eventFiles} event files, none with scalar summaries (graph or text only)`;
  }
  if (run.origin === 'trainer_state') return 'trainer_state.json has no log_history entries yet';
  return 'no TensorBoard event files and no trainer_state.json log_history yet; scalars appear once the trainer logs (logging_steps)';
}

function basename(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/** "events.out… damaged at byte 123456: data crc mismatch — points before it are shown". */
export function damageNote(damage: ScalarsRun['damage'][number]): string {
  return `${basename(damage.file)} damaged at byte ${damage.offset}: ${damage.reason} — points before it are shown`;
}
