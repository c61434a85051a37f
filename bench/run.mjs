// `npm run bench [-- name...]`: runs every bench/<name>.bench.ts in its own Node process (so one
// benchmark's heap never skews another's), then writes bench/results.json and bench/results.md.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const names = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

const resultsFile = join(here, 'results.json');
const previous = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {};
const results = only.length > 0 ? { ...previous } : {};
delete results._meta;
let failed = false;

for (const name of names) {
  process.stdout.write(`bench ${name} … `);
  const started = Date.now();
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, 'harness.mjs'), join(here, `${name}.bench.ts`)], {
    cwd: join(here, '..'),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{')) {
    failed = true;
    console.log(`FAILED (exit ${child.status})\n${child.stdout}`);
    continue;
  }
  results[name] = JSON.parse(line);
  console.log(`${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const meta = {
  date: new Date().toISOString().slice(0, 10),
  node: process.version,
  cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
  memoryGb: Math.round(totalmem() / 2 ** 30),
};
writeFileSync(resultsFile, JSON.stringify({ ...results, _meta: meta }, null, 2) + '\n');

const rows = Object.entries(results).flatMap(([bench, metrics]) =>
  Object.entries(metrics).map(([metric, value]) => `| ${bench} | ${metric} | ${typeof value === 'number' ? Number(value.toPrecision(4)) : value} |`));
const table = [`Measured ${meta.date} on ${meta.cpu}, ${meta.memoryGb} GB, Node ${meta.node}.`, '', '| bench | metric | value |', '|---|---|---|', ...rows].join('\n');
writeFileSync(join(here, 'results.md'), table + '\n');
console.log('\n' + table);
process.exitCode = failed ? 1 : 0;
