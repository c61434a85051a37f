import { parseArgs } from 'node:util';
import { ConfigError, readConfigFile } from '../core/training/config';
import { checkFit } from '../core/training/fit';
import { loadArchitecture } from '../core/training/modelSource';
import { estimateReport, estimateVram, mibToBytes } from '../core/training/vram';
import { formatTable } from './table';
import { UsageError, type Io } from './usageError';

export const estimateUsage = 'llava-studio estimate CONFIG.json [--json] [--free-mb MIB]';

const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(2)} GB`;

/** Prints the VRAM estimate of one training process; with --free-mb, whether it fits and what would. Exit 1 when it does not fit. */
export async function estimateCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, 'free-mb': { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError(`usage: ${estimateUsage}`);
  const freeMb = values['free-mb'] === undefined ? null : Number(values['free-mb']);
  if (freeMb !== null && !(freeMb > 0)) throw new UsageError(`--free-mb must be a positive number of MiB (got '${values['free-mb']}')`);
  let config;
  try {
    config = await readConfigFile(positionals[0]!);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  let arch;
  try {
    arch = await loadArchitecture(config.model, { timeoutMs: 15_000 });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const estimate = estimateVram(arch, config);
  const fit = freeMb === null ? null : checkFit(arch, config, mibToBytes(freeMb));
  if (values.json) {
    io.out(JSON.stringify({
      ...estimateReport(estimate),
      params: estimate.params,
      tokens: estimate.tokens,
      notes: estimate.notes,
      ...(fit ? { free_gb: Math.round(fit.budget / 1e7) / 100, fits: fit.fits, suggestions: fit.suggestions.map((s) => ({ changes: s.changes, description: s.description, total_gb: estimateReport(s.estimate).total_gb })) } : {}),
    }) + '\n');
    return fit && !fit.fits ? 1 : 0;
  }
  io.out(`${config.model}: ${(estimate.params.total / 1e9).toFixed(2)} B parameters, ${(estimate.params.trainable / 1e6).toFixed(1)} M trainable (${config.method}); ${estimate.tokens} tokens per step per GPU\n`);
  io.out(formatTable(['part', 'memory'], [...Object.entries(estimate.parts).map(([k, v]) => [k, gb(v)]), ['total', gb(estimate.total)]]));
  for (const note of estimate.notes) io.out(`note: ${note}\n`);
  if (fit) {
    io.out(fit.fits ? `fits in ${gb(fit.budget)} free\n` : `does not fit in ${gb(fit.budget)} free\n`);
    for (const s of fit.suggestions) io.out(`  would fit (${gb(s.estimate.total)}): ${s.description.join('; ')}\n`);
  }
  return fit && !fit.fits ? 1 : 0;
}
