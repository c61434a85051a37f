import { suggestFittingSettings, type FitSuggestion } from './fit';
import { loadArchitecture } from './modelSource';
import type { RunRecord } from './runRecord';
import { estimateVram, mibToBytes } from './vram';

/**
 * Settings that would fit after an out-of-memory crash: the estimator's suggestions against the
 * smallest free memory the probe saw at launch. The run already proved the estimate too low, so the
 * target is also at most 80% of what the failed settings were estimated at. Offline: the model's
 * config.json must be local or in the HF cache; otherwise there are no suggestions.
 */
export async function oomSuggestions(record: RunRecord): Promise<FitSuggestion[]> {
  const arch = await loadArchitecture(record.config.model, { hubUrl: null });
  const current = estimateVram(arch, record.config).total;
  const free = record.gpus.length > 0 ? Math.min(...record.gpus.map((g) => mibToBytes(g.free_mb))) : Infinity;
  return suggestFittingSettings(arch, record.config, Math.min(free, 0.8 * current));
}
