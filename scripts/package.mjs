#!/usr/bin/env node
// Builds for production and packages the linux-x64 VSIX with its dependencies inside.
//
//   node scripts/package.mjs        → llava-studio-<version>-linux-x64.vsix in the repository root
//
// Prints the size and the top-level entries, and fails when the package holds something it must
// not (sources, tests, source maps, another platform's binaries, onnxruntime-web).
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, run, seconds } from './lib/proc.mjs';
import { listZip } from './lib/zip.mjs';

export const TARGET = 'linux-x64';

/** Top-level entries a VSIX may hold (under `extension/`), besides the vsce manifest files. */
const ALLOWED_TOP = [/^dist$/, /^media$/, /^native-bin$/, /^node_modules$/, /^package\.json$/, /^(README|CHANGELOG)\.md$/i, /^LICEN[CS]E/i, /^NOTICE/i, /^ThirdPartyNotices/i];

/** Why an entry must not ship, or null. `name` is relative to `extension/`. */
export function forbiddenReason(name) {
  const top = name.split('/')[0];
  if (!ALLOWED_TOP.some((re) => re.test(top))) return `top-level "${top}" is not shipped (add it to .vscodeignore, or allow it in scripts/package.mjs)`;
  if (name.endsWith('.map')) return 'source map';
  if (name.startsWith('node_modules/onnxruntime-web/')) return 'onnxruntime-web is never loaded by a Node extension';
  if (/\.(dylib|dll|exe)$/i.test(name)) return 'not a linux binary';
  if (/\.(node|so(\.\d+)*)$/.test(name) && /(darwin|win32|freebsd|android|musl|arm64|aarch64|armv7|\bia32\b|s390x|ppc64|riscv)/i.test(name)) {
    return `not a ${TARGET} binary`;
  }
  return null;
}

function formatBytes(n) {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} KB`;
}

/** Group entries by top-level name (and by package inside node_modules). */
export function summarize(entries) {
  const groups = new Map();
  for (const { name, size } of entries) {
    const parts = name.split('/');
    let key = parts[0] ?? name;
    if (key === 'node_modules') key = parts.slice(0, parts[1]?.startsWith('@') ? 3 : 2).join('/');
    const g = groups.get(key) ?? { files: 0, bytes: 0 };
    g.files += 1;
    g.bytes += size;
    groups.set(key, g);
  }
  return [...groups].sort((a, b) => a[0].localeCompare(b[0]));
}

export async function packageVsix({ log = (m) => console.log(m) } = {}) {
  const started = performance.now();
  await run(process.execPath, ['esbuild.mjs', '--production']);
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const vsix = join(repoRoot, `${manifest.name}-${manifest.version}-${TARGET}.vsix`);
  rmSync(vsix, { force: true });
  const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  await run(process.execPath, [vsce, 'package', '--target', TARGET, '--allow-missing-repository', '--skip-license', '--out', vsix], {
    quiet: true,
  });

  const entries = listZip(vsix)
    .filter((e) => e.name.startsWith('extension/') && !e.name.endsWith('/'))
    .map((e) => ({ ...e, name: e.name.slice('extension/'.length) }));
  const bad = entries.map((e) => [e.name, forbiddenReason(e.name)]).filter(([, why]) => why);
  const bytes = statSync(vsix).size;
  log(`package: ${vsix.slice(repoRoot.length + 1)} ${formatBytes(bytes)} (${entries.length} files, ${seconds(started)} s)`);
  for (const [key, g] of summarize(entries)) log(`  ${key.padEnd(44)} ${String(g.files).padStart(5)} files ${formatBytes(g.bytes).padStart(10)}`);
  if (bad.length) {
    const shown = bad.slice(0, 20).map(([n, why]) => `  ${n}: ${why}`).join('\n');
    throw new Error(`the VSIX holds ${bad.length} file(s) it must not:\n${shown}`);
  }
  return { vsix, bytes, entries, manifest };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    await packageVsix();
  } catch (error) {
    console.error(`package: ${error.message}`);
    process.exit(1);
  }
}
