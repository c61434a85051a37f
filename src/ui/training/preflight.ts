/**
 * The checks the Fine-tune form shows before launch, as views the webview renders: the environment
 * probe with its fix-it hints, the dataset validation summary, and the VRAM estimate against the
 * GPU's free memory with settings that would fit. No vscode here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openDataset } from '../../core/datasets/openDataset';
import type { ValidateProgress } from '../../core/datasets/types';
import { validateDataset } from '../../core/datasets/validate/validateDataset';
import { checkFit, type FitSuggestion } from '../../core/training/fit';
import type { ModelArchitecture } from '../../core/training/modelArch';
import { missingPackages, probeHints, requiredPackages, trainingBlockers, type EnvironmentProbe } from '../../core/training/probe';
import type { TrainConfig, TrainMethod } from '../../core/training/schema';
import { mibToBytes } from '../../core/training/vram';
import { VRAM_PARTS, type DatasetView, type EstimateView, type ProbeView, type PythonView, type VramPart } from '../../protocol/train';

/** The packages the worker checks first, in its order (native-bin/llava_studio_worker/errors.py TRAINING_STACK). */
export const WORKER_TRAINING_STACK = ['torch', 'transformers', 'peft', 'accelerate'] as const;

/**
 * The line the worker prints when it stops at once for a missing package: `torch is not installed in
 * /usr/bin/python3: pip install -r /abs/native-bin/requirements.txt` (errors.py missing_dependency).
 * A unit test runs the real worker and compares.
 */
export function workerMissingMessage(probe: EnvironmentProbe, requirementsPath: string): string | null {
  if (!probe.ok) return null;
  const missing = missingPackages(probe, requiredPackages(requirementsPath));
  const first = WORKER_TRAINING_STACK.find((name) => missing.includes(name));
  return first ? `${first} is not installed in ${probe.executable}: pip install -r ${requirementsPath}` : null;
}

const gb = (mib: number): number => Math.round(mibToBytes(mib) / 1e7) / 100;

export function probeViewOf(probe: EnvironmentProbe, python: PythonView, nativeBin: string, method: TrainMethod): ProbeView {
  const requirements = join(nativeBin, 'requirements.txt');
  const hints = probe.ok ? probeHints(probe, requirements, method) : probe.hints;
  return {
    state: 'done',
    python,
    ok: probe.ok,
    version: probe.python,
    executable: probe.executable,
    packages: Object.entries(probe.packages),
    cuda: probe.cuda ? (probe.cuda.available ? `CUDA ${probe.cuda.version ?? '?'}` : `no CUDA device${probe.cuda.version ? ` (torch built for CUDA ${probe.cuda.version})` : ' (CPU-only torch)'}`) : null,
    gpus: probe.gpus.map((g) => ({ name: g.name, totalGb: gb(g.total_mb), freeGb: gb(g.free_mb) })),
    hints,
    blockers: trainingBlockers(probe, requirements, method),
    workerMessage: workerMissingMessage(probe, requirements),
  };
}

export interface DatasetCheck {
  path: string;
  imagesDir: string | null;
  evalPath: string | null;
  evalRatio: number;
  maxLength: number;
  /** A local model folder with tokenizer files: exact token counts; else an estimate. */
  modelDir: string | null;
  signal?: AbortSignal;
  onProgress?: (progress: ValidateProgress) => void;
}

/** A model folder whose tokenizer the validator can use for exact counts, or null. */
export function tokenizerFolder(model: string): string | null {
  return existsSync(join(model, 'tokenizer.json')) && existsSync(join(model, 'tokenizer_config.json')) ? model : null;
}

const SHOWN_PROBLEMS = 8;

/** Streams over every row (the dataset module's validator) and summarizes; never throws. */
export async function checkDataset(check: DatasetCheck): Promise<DatasetView> {
  try {
    const dataset = await openDataset(check.path, { ...(check.imagesDir ? { imageRoot: check.imagesDir } : {}), ...(check.signal ? { signal: check.signal } : {}) });
    try {
      const report = await validateDataset(dataset, {
        maxLength: check.maxLength, imageCheck: 'header',
        ...(check.modelDir ? { modelDir: check.modelDir } : {}), ...(check.signal ? { signal: check.signal } : {}), ...(check.onProgress ? { onProgress: check.onProgress } : {}),
      });
      let evalRows: number | null = check.evalRatio > 0 ? Math.floor(report.rows * check.evalRatio) : null;
      if (check.evalPath) {
        const evalSet = await openDataset(check.evalPath, check.imagesDir ? { imageRoot: check.imagesDir } : {});
        try {
          evalRows = await evalSet.done;
        } finally {
          await evalSet.close();
        }
      }
      return {
        state: 'done', path: check.path, format: report.format, rows: report.rows, images: report.images, rowsOk: report.rowsOk,
        rowsWithProblems: report.rowsWithProblems, counts: Object.entries(report.counts).filter(([, n]) => n > 0),
        problems: report.problems.slice(0, SHOWN_PROBLEMS).map((p) => ({ row: p.row, line: p.line, code: p.code, message: p.message })),
        tokenBasis: report.tokenBasis, maxLength: report.maxLength, evalRows,
      };
    } finally {
      await dataset.close();
    }
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    return { state: 'error', path: check.path, message: (error as Error).message };
  }
}

/** Whether the dataset check allows a launch, and why not. */
export function datasetBlocker(view: DatasetView, dropBadRows: boolean): string | null {
  if (view.state === 'idle') return 'choose the training data';
  if (view.state === 'running') return 'the dataset check is still running';
  if (view.state === 'error') return `the dataset cannot be read: ${view.message}`;
  if (view.rowsOk === 0) return `no usable row in ${view.path}: every row has a problem`;
  if (view.rowsWithProblems > 0 && !dropBadRows) {
    return `${view.rowsWithProblems} of ${view.rows} rows have problems: fix them, or tick "Drop bad rows" (the worker leaves them out and counts them)`;
  }
  return null;
}

export interface EstimateResult {
  view: EstimateView;
  suggestions: FitSuggestion[];
}

const GB = 1e9;
const round2 = (bytes: number): number => Math.round(bytes / 1e7) / 100;

/** The estimate against the smallest free GPU memory the probe saw, else against `enteredGb`. */
export function estimateFor(arch: ModelArchitecture, config: TrainConfig, probe: EnvironmentProbe | null, enteredGb: number | null): EstimateResult {
  const gpus = probe?.ok ? probe.gpus : [];
  const smallest = gpus.length > 0 ? gpus.reduce((a, b) => (b.free_mb < a.free_mb ? b : a)) : null;
  const budget = smallest ? mibToBytes(smallest.free_mb) : enteredGb !== null ? enteredGb * GB : null;
  if (budget === null) return { view: { state: 'error', message: 'no GPU visible here: enter the GPU memory to compare with' }, suggestions: [] };
  const fit = checkFit(arch, config, budget);
  const parts = Object.fromEntries(VRAM_PARTS.map((k) => [k, round2(fit.estimate.parts[k])])) as Record<VramPart, number>;
  return {
    view: {
      state: 'done', totalGb: round2(fit.estimate.total), parts, budgetGb: round2(budget), budgetSource: smallest ? 'gpu' : 'entered',
      gpuName: smallest?.name ?? null, fits: fit.fits,
      params: { total: fit.estimate.params.total, trainable: fit.estimate.params.trainable }, notes: fit.estimate.notes,
      suggestions: fit.suggestions.map((s) => ({ description: s.description, totalGb: round2(s.estimate.total) })),
    },
    suggestions: fit.suggestions,
  };
}
