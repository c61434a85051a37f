import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The folder holding the Python worker (native-bin/llava_studio_worker): $LLAVA_STUDIO_NATIVE_BIN, else
 * the nearest `native-bin` above `from` (dist/ in the package, src/… when run from sources).
 */
export function findNativeBin(from: string = __dirname, env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.LLAVA_STUDIO_NATIVE_BIN) return resolve(env.LLAVA_STUDIO_NATIVE_BIN);
  let dir = resolve(from);
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'native-bin');
    if (existsSync(join(candidate, 'llava_studio_worker'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

/** The interpreter to use when none is given: $LLAVA_STUDIO_PYTHON, else `python3` from PATH. */
export const defaultPython = (env: NodeJS.ProcessEnv = process.env): string => env.LLAVA_STUDIO_PYTHON || 'python3';
