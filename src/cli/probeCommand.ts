import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultPython, findNativeBin } from '../core/training/nativeBin';
import { probeEnvironment, type EnvironmentProbe } from '../core/training/probe';
import { formatTable } from './table';
import { UsageError, type Io } from './usageError';

export const probeUsage = 'llava-studio probe [--python PATH] [--json]';

/** Runs the environment probe, or explains why it cannot (no native-bin). */
export async function runProbe(python: string, method?: 'lora' | 'qlora' | 'projector'): Promise<{ probe: EnvironmentProbe; nativeBin: string | null }> {
  const nativeBin = findNativeBin();
  if (!nativeBin) {
    const error = 'the worker package (native-bin/llava_studio_worker) was not found: set LLAVA_STUDIO_NATIVE_BIN to its native-bin folder';
    return { probe: { ok: false, python: null, executable: python, packages: {}, cuda: null, gpus: [], bf16: null, errors: [], error, hints: [error] }, nativeBin };
  }
  return { probe: await probeEnvironment({ python, nativeBin, ...(method ? { method } : {}) }), nativeBin };
}

/** The `probe --json` contract shape. */
export function probeJson(probe: EnvironmentProbe): object {
  return {
    python: probe.python, executable: probe.executable, packages: probe.packages, cuda: probe.cuda, gpus: probe.gpus, bf16: probe.bf16,
    hints: probe.hints, ...(probe.ok ? {} : { error: probe.error }),
  };
}

/** Exit 0 when the probe ran (hints or not), 1 when it could not run at all. */
export async function probeCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { python: { type: 'string' }, json: { type: 'boolean' } } });
  if (positionals.length > 0) throw new UsageError(`usage: ${probeUsage}`);
  const { probe, nativeBin } = await runProbe(values.python ?? defaultPython());
  if (values.json) {
    io.out(JSON.stringify(probeJson(probe)) + '\n');
    return probe.ok ? 0 : 1;
  }
  if (!probe.ok) {
    io.err(`probe failed: ${probe.error}\n${probe.hints.map((h) => `  → ${h}\n`).join('')}`);
    return 1;
  }
  io.out(`python ${probe.python} (${probe.executable}); worker at ${nativeBin ? join(nativeBin, 'llava_studio_worker') : '?'}\n`);
  io.out(`CUDA: ${probe.cuda === null ? 'no torch' : probe.cuda.available ? `yes (${probe.cuda.version})` : `not available${probe.cuda.version ? ` (torch built for ${probe.cuda.version})` : ''}`}; bf16: ${probe.bf16 ? 'yes' : 'no'}\n`);
  if (probe.gpus.length > 0) io.out(formatTable(['gpu', 'total MiB', 'free MiB'], probe.gpus.map((g) => [g.name, String(g.total_mb), String(g.free_mb)])));
  io.out(formatTable(['package', 'version'], Object.entries(probe.packages).map(([name, version]) => [name, version ?? 'not installed'])));
  io.out(probe.hints.length === 0 ? 'ready to train\n' : `${probe.hints.map((h) => `→ ${h}`).join('\n')}\n`);
  return 0;
}
