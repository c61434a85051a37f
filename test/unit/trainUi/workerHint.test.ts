import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { completeConfig } from '../../../src/core/training/config';
import { localPlan } from '../../../src/core/training/launchPlan';
import { probeEnvironment } from '../../../src/core/training/probe';
import { newRunRecord, writeRunRecord } from '../../../src/core/training/runRecord';
import { workerMissingMessage } from '../../../src/ui/training/preflight';
import { NATIVE_BIN, tempDir } from './helpers';

const PYTHON = '/usr/bin/python3';

describe('the form\'s "training would stop at once" line is the worker\'s own', function () {
  this.timeout(60_000);

  it(`matches what the real worker prints with ${PYTHON} (no torch there)`, async function () {
    if (!existsSync(PYTHON)) this.skip();
    const probe = await probeEnvironment({ python: PYTHON, nativeBin: NATIVE_BIN });
    if (!probe.ok || probe.packages.torch) this.skip(); // torch installed: the worker would not stop
    const predicted = workerMissingMessage(probe, join(NATIVE_BIN, 'requirements.txt'));
    assert.ok(predicted, 'a missing-package line');
    const tmp = tempDir();
    try {
      const runDir = join(tmp.dir, 'run');
      mkdirSync(runDir);
      const config = completeConfig({ model: '/models/x', dataset: { path: '/data/train.json' }, output_dir: runDir, method: 'lora' });
      const plan = localPlan({ python: PYTHON, nativeBin: NATIVE_BIN, runDir });
      await writeRunRecord(plan.files.runJson, newRunRecord({ name: 'hint', config, plan, host: 'here', now: new Date(), gpus: [] }));
      const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(plan.argv[0]!, plan.argv.slice(1), { env: { ...process.env, ...plan.env } }, (_error, _stdout, err) => resolve({ code: child.exitCode, stderr: err }));
      });
      assert.equal(code, 3, 'exit 3: missing package');
      assert.ok(stderr.includes(predicted), `worker stderr:\n${stderr}\npredicted:\n${predicted}`);
      const error = readFileSync(plan.files.events, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; message: string }).find((e) => e.type === 'error');
      assert.equal(error?.message, predicted);
    } finally {
      tmp.remove();
    }
  });

  it('is null when the training stack is there, or when the probe could not run', () => {
    const requirements = join(NATIVE_BIN, 'requirements.txt');
    const base = { ok: true, python: '3.11', executable: '/v/bin/python', cuda: null, gpus: [], bf16: null, errors: [], error: null, hints: [] };
    assert.equal(workerMissingMessage({ ...base, packages: { torch: '2.11.0', transformers: '5.17.0', peft: '0.17.0', accelerate: '1.15.0' } }, requirements), null);
    assert.equal(workerMissingMessage({ ...base, packages: { torch: '2.11.0', transformers: null, peft: null, accelerate: '1.15.0' } }, requirements), `transformers is not installed in /v/bin/python: pip install -r ${requirements}`);
    assert.equal(workerMissingMessage({ ...base, ok: false, packages: {} }, requirements), null);
  });
});
