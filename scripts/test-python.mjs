// `npm run test:python`: the Python worker's pytest suite. Model tests skip themselves (with the
// reason) where torch/transformers/peft don't import; everything torch-free runs everywhere.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const hasPytest = (python) => spawnSync(python, ['-c', 'import pytest'], { stdio: 'ignore' }).status === 0;
const candidates = [process.env.LLAVA_STUDIO_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean);
const python = candidates.find(hasPytest);
if (!python) {
  console.error(`test:python: no interpreter with pytest among ${candidates.join(', ')} (Debian: apt-get install python3-pytest)`);
  process.exit(1);
}
const result = spawnSync(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'], {
  cwd: join(root, 'native-bin'),
  stdio: 'inherit',
  env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
});
process.exit(result.status ?? 1);
