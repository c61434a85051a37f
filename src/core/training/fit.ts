import type { ModelArchitecture } from './modelArch';
import type { TrainConfig } from './schema';
import { estimateVram, type EstimateSettings, type VramEstimate } from './vram';

export interface FitSuggestion {
  /** Config fields to change (a partial config the form can merge). */
  changes: Partial<Pick<TrainConfig, 'gradient_checkpointing' | 'per_device_batch' | 'grad_accum' | 'method'>>;
  /** One line per change, for people. */
  description: string[];
  estimate: VramEstimate;
}

export interface FitCheck {
  fits: boolean;
  estimate: VramEstimate;
  /** Free bytes the estimate was compared with. */
  budget: number;
  /** Cheapest changes that would fit, best first (empty when it already fits or nothing tried fits). */
  suggestions: FitSuggestion[];
}

type FitSettings = EstimateSettings & Pick<TrainConfig, 'grad_accum'>;

/** How much a change costs the user: speed or quality given up. Lower is tried first. */
const COST = { checkpointing: 1, halveBatch: 1, qlora: 4 };

/**
 * Settings that would fit `budget` bytes: a small grid over gradient checkpointing, per-device batch
 * (halved, with grad_accum doubled so the effective batch stays) and QLoRA, ranked by how much each
 * gives up. Never shortens max_length (rows would be dropped).
 */
export function suggestFittingSettings(arch: ModelArchitecture, settings: FitSettings, budget: number, limit = 3): FitSuggestion[] {
  const batches: number[] = [];
  for (let b = settings.per_device_batch; b >= 1; b = Math.floor(b / 2)) {
    batches.push(b);
    if (b === 1) break;
  }
  const found: { cost: number; suggestion: FitSuggestion }[] = [];
  const methods = settings.method === 'lora' ? (['lora', 'qlora'] as const) : [settings.method];
  for (const checkpointing of settings.gradient_checkpointing ? [true] : [false, true]) {
    for (const [halvings, batch] of batches.entries()) {
      for (const method of methods) {
        const changes: FitSuggestion['changes'] = {};
        const description: string[] = [];
        let cost = 0;
        if (checkpointing !== settings.gradient_checkpointing) {
          changes.gradient_checkpointing = true;
          description.push('enable gradient checkpointing (about 30% slower)');
          cost += COST.checkpointing;
        }
        if (batch !== settings.per_device_batch) {
          const accum = Math.ceil((settings.grad_accum * settings.per_device_batch) / batch);
          changes.per_device_batch = batch;
          changes.grad_accum = accum;
          description.push(`per_device_batch ${settings.per_device_batch} → ${batch} with grad_accum ${settings.grad_accum} → ${accum} (same effective batch)`);
          cost += halvings * COST.halveBatch;
        }
        if (method !== settings.method) {
          changes.method = method;
          description.push('method qlora: 4-bit NF4 base and paged AdamW (needs bitsandbytes)');
          cost += COST.qlora;
        }
        if (cost === 0) continue;
        const estimate = estimateVram(arch, { ...settings, ...changes });
        if (estimate.total <= budget) found.push({ cost, suggestion: { changes, description, estimate } });
      }
    }
  }
  found.sort((a, b) => a.cost - b.cost || a.suggestion.estimate.total - b.suggestion.estimate.total);
  // Drop a suggestion that gives up everything a cheaper fitting one gives up, and more (same changes, a batch no larger).
  const kept: FitSuggestion[] = [];
  const atLeastAsMuch = (s: FitSuggestion['changes'], k: FitSuggestion['changes']): boolean => Object.entries(k).every(([key, value]) =>
    key in s && (key === 'grad_accum' || (key === 'per_device_batch' ? (s.per_device_batch ?? Infinity) <= (value as number) : (s as Record<string, unknown>)[key] === value)));
  for (const { suggestion } of found) {
    const redundant = kept.some((k) => atLeastAsMuch(suggestion.changes, k.changes));
    if (!redundant) kept.push(suggestion);
    if (kept.length >= limit) break;
  }
  return kept;
}

/** Whether the config fits `budget` free bytes, with suggestions when it does not. */
export function checkFit(arch: ModelArchitecture, settings: FitSettings, budget: number): FitCheck {
  const estimate = estimateVram(arch, settings);
  const fits = estimate.total <= budget;
  return { fits, estimate, budget, suggestions: fits ? [] : suggestFittingSettings(arch, settings, budget) };
}
