import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvironmentProbe } from '../../../src/core/training/probe';
import type { DatasetView } from '../../../src/protocol/train';

export const NATIVE_BIN = join(__dirname, '../../../native-bin');
export const MODEL_CONFIG_ONLY = join(__dirname, '../../fixtures/train-harness/llava-1.5-7b-config');

/** A probe of an interpreter with the whole training stack (versions inside requirements.txt's ranges). */
export function readyProbe(fields: Partial<EnvironmentProbe> = {}): EnvironmentProbe {
  return {
    ok: true, python: '3.11.9', executable: '/venv/bin/python', error: null, errors: [], hints: [], bf16: true,
    packages: { torch: '2.11.0', transformers: '5.17.0', peft: '0.17.1', accelerate: '1.15.0', bitsandbytes: null, tensorboard: '2.20.0', pyarrow: '21.0.0', pillow: '11.3.0', safetensors: '0.6.2', datasets: null, huggingface_hub: '0.35.0' },
    cuda: { available: true, version: '12.8' }, gpus: [{ name: 'NVIDIA H200', total_mb: 143771, free_mb: 142000 }],
    ...fields,
  };
}

/** The same interpreter without torch and the rest of the stack (as /usr/bin/python3 here). */
export function bareProbe(): EnvironmentProbe {
  const packages = Object.fromEntries(Object.keys(readyProbe().packages).map((k) => [k, null]));
  return readyProbe({ executable: '/usr/bin/python3', packages, cuda: null, gpus: [], bf16: false });
}

type DoneDataset = Extract<DatasetView, { state: 'done' }>;

export const cleanDataset = (rows = 8): DoneDataset => ({
  state: 'done', path: '/d/train.json', format: 'llava-json', rows, images: rows, rowsOk: rows, rowsWithProblems: 0, counts: [], problems: [], tokenBasis: 'estimate', maxLength: 2048, evalRows: null,
});

export const dirtyDataset = (): DoneDataset => ({ ...cleanDataset(10), rowsOk: 7, rowsWithProblems: 3, counts: [['too_long', 3]] });

/** A temp folder removed after the test. */
export function tempDir(prefix = 'train-ui-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
