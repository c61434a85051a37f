import type { ScalarSeries } from '../tfevents/types';

export const emptySeries = (): ScalarSeries => ({ step: [], wall: [], value: [] });

/** Appends `from` to `into` in place. */
export function appendSeries(into: ScalarSeries, from: ScalarSeries): void {
  for (let i = 0; i < from.step.length; i++) {
    into.step.push(from.step[i]!);
    into.wall.push(from.wall[i]!);
    into.value.push(from.value[i]!);
  }
}

/**
 * Merges one tag's points from several event files given oldest first. A resumed run writes a new
 * file that restarts at an earlier step: the newer file wins from its first step on, so points of
 * older files at or after that step are dropped (what a user sees is the run as it continued).
 */
export function mergeResumedSeries(perFile: ScalarSeries[]): ScalarSeries {
  const merged = emptySeries();
  for (const part of perFile) {
    if (part.step.length === 0) continue;
    const restart = part.step[0]!;
    let keep = merged.step.length;
    while (keep > 0 && merged.step[keep - 1]! >= restart) keep--;
    if (keep < merged.step.length) {
      // Older points may be unsorted at the tail only if they came from a resumed file: cut them.
      merged.step.length = keep;
      merged.wall.length = keep;
      merged.value.length = keep;
    }
    appendSeries(merged, part);
  }
  return merged;
}

/** Merges per-file tag maps (oldest first) into one map with resume de-duplication per tag. */
export function mergeFiles(files: Map<string, ScalarSeries>[]): Map<string, ScalarSeries> {
  const tags = new Set<string>();
  for (const file of files) for (const tag of file.keys()) tags.add(tag);
  const merged = new Map<string, ScalarSeries>();
  for (const tag of [...tags].sort()) {
    merged.set(tag, mergeResumedSeries(files.map((file) => file.get(tag)).filter((s): s is ScalarSeries => !!s)));
  }
  return merged;
}
