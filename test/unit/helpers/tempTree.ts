import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Creates a temporary folder tree from `{relativePath: contents}`; a path ending in '/' is a folder. */
export function makeTree(files: Record<string, string | Uint8Array>): { root: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'llava-studio-test-'));
  for (const [path, contents] of Object.entries(files)) {
    const full = join(root, path);
    if (path.endsWith('/')) {
      mkdirSync(full, { recursive: true });
      continue;
    }
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, contents);
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** The shared golden files, or null (tests then skip with a reason). */
export function goldenDir(): string | null {
  const candidates = [process.env.LLAVA_STUDIO_GOLDEN, join(__dirname, '../../../../shared/golden')].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(join(p, 'README.md'))) ?? null;
}
