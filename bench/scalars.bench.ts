/**
 * scalars: first paint of the Scalars webview for 10 runs × 6 tags × 100k points, measured in Debian
 * Chromium (the e2e browser) on the panel's real HTML, CSP and production bundle, fed through the
 * webview message path by test/fixtures/scalars-harness. `first_paint_ms` = script start → all
 * visible cards drawn, with the typed arrays transferred (as VS Code does for ArrayBuffers);
 * `first_paint_copy_ms` = the same when the browser has to copy the 144 MB instead.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

interface FirstPaint { transfer: string; ms: number; points: number }

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

export async function run(): Promise<Record<string, number>> {
  const root = resolve(__dirname, '..');
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/fixtures/scalars-harness/harness.mjs')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ONLY_PERF: '1', RUNS: '5', MINIFY: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`scalars harness failed (exit ${child.status}): ${child.stderr.slice(-2000)}`);
  const report = JSON.parse(child.stdout.slice(child.stdout.indexOf('{'))) as { firstPaint: FirstPaint[] };
  const transferred = report.firstPaint.filter((p) => p.transfer === '1');
  const copied = report.firstPaint.filter((p) => p.transfer === '0');
  return {
    first_paint_ms: Math.round(median(transferred.map((p) => p.ms))),
    first_paint_copy_ms: Math.round(median(copied.map((p) => p.ms))),
    points: transferred[0]?.points ?? 0,
    samples: transferred.length,
  };
}
