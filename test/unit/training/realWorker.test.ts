import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { completeConfig } from '../../../src/core/training/config';
import { localPlan } from '../../../src/core/training/launchPlan';
import { Supervisor } from '../../../src/core/training/supervisor';
import { makeTree } from '../helpers/tempTree';

const NATIVE_BIN = resolve(__dirname, '../../../native-bin');
const PYTHON = '/usr/bin/python3';

/** The worker's training stack, checked in this order (native-bin/llava_studio_worker/errors.py). */
const TRAINING_STACK = ['torch', 'transformers', 'peft', 'accelerate'];

/** The first package of the training stack this interpreter cannot import, or a reason to skip. */
function firstMissing(): { missing: string } | { skip: string } {
  if (!existsSync(join(NATIVE_BIN, 'llava_studio_worker', 'train.py'))) return { skip: `${NATIVE_BIN}/llava_studio_worker/train.py does not exist yet` };
  if (!existsSync(PYTHON)) return { skip: `${PYTHON} is not installed` };
  const script = `import importlib.util as u; print(next((p for p in ${JSON.stringify(TRAINING_STACK)} if u.find_spec(p) is None), ''))`;
  const missing = execFileSync(PYTHON, ['-c', script], { encoding: 'utf8' }).trim();
  return missing ? { missing } : { skip: `${PYTHON} has the whole training stack, so the worker would not stop at its dependency check` };
}

describe('training supervisor with the real Python worker (no torch here)', function () {
  this.timeout(60_000);
  const tree = makeTree({ 'data/train.json': '[]' });
  after(() => tree.remove());

  it('surfaces the worker\'s exact "<package> is not installed in /usr/bin/python3: pip install -r …" hint as the run\'s error', async function () {
    const check = firstMissing();
    if ('skip' in check) {
      this.test!.title += ` (skipped: ${check.skip})`;
      this.skip();
    }
    const runDir = join(tree.root, 'run');
    const config = completeConfig({ model: join(tree.root, 'model'), dataset: { path: join(tree.root, 'data/train.json') }, output_dir: runDir, method: 'lora' });
    const supervisor = new Supervisor(runDir, { pollMs: 100 });
    try {
      await supervisor.launch({ config, plan: localPlan({ python: PYTHON, nativeBin: NATIVE_BIN, runDir }) });
      assert.ok(await supervisor.waitForEnd(30_000), 'the worker exits fast');
      const run = supervisor.current!;
      assert.equal(run.status, 'failed');
      assert.equal(run.error!.message, `${check.missing} is not installed in ${PYTHON}: pip install -r ${join(NATIVE_BIN, 'requirements.txt')}`);
      assert.equal(run.exitCode, 3, 'the worker\'s missing-dependency exit code');
    } finally {
      supervisor.dispose();
    }
  });
});
