import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseProbeOutput, probeEnvironment, probeHints, requiredPackages, satisfies, trainingBlockers, type EnvironmentProbe } from '../../../src/core/training/probe';
import { makeTree } from '../helpers/tempTree';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const NATIVE_BIN = resolve(__dirname, '../../../native-bin');
const REQUIREMENTS = 'torch>=2.4\ntransformers>=5,<6\npeft>=0.17\naccelerate>=1.10\n# Optional:\n#   bitsandbytes\n';

const ready = {
  python: '3.11.9', executable: '/venv/bin/python', cuda: { available: true, version: '12.8' }, bf16: true, errors: [],
  gpus: [{ name: 'NVIDIA H100 80GB HBM3', total_mb: 81559, free_mb: 80000 }],
  packages: { torch: '2.11.0', transformers: '5.17.0', peft: '0.18.0', accelerate: '1.15.0', bitsandbytes: '0.48.0' },
};

describe('environment probe', () => {
  const tree = makeTree({
    'bin/requirements.txt': REQUIREMENTS,
    'bin/llava_studio_worker/__init__.py': '',
    // A stand-in probe: prints what LLAVA_TEST_PROBE says (or sleeps, or babbles) like the real one.
    'bin/llava_studio_worker/probe.py': 'import os, sys, time\nmode = os.environ.get("LLAVA_TEST_MODE", "")\n'
      + 'if mode == "sleep": time.sleep(30)\nif mode == "chatter": print("Warning: some library talks first")\n'
      + 'if mode == "garbage": print("Segfault?"); sys.stderr.write("ImportError: libcuda.so.1\\n"); sys.exit(1)\n'
      + 'print(os.environ["LLAVA_TEST_PROBE"])\n',
    'empty/': '',
  });
  const bin = join(tree.root, 'bin');
  const requirements = join(bin, 'requirements.txt');
  after(() => tree.remove());
  const probe = (fields: Partial<EnvironmentProbe>): EnvironmentProbe => ({ ...parseProbeOutput(JSON.stringify(ready), 'python3'), hints: [], ...fields });

  const hints: { name: string; probe: Partial<EnvironmentProbe>; method?: 'lora' | 'qlora'; expect: string[] }[] = [
    { name: 'a ready machine', probe: {}, expect: [] },
    {
      name: 'no torch stack', probe: { packages: { torch: null, transformers: null, peft: '0.18.0', accelerate: null, bitsandbytes: null }, cuda: null, gpus: [], bf16: false },
      expect: [`torch, transformers, accelerate are not installed in /venv/bin/python: pip install -r ${join(tree.root, 'bin/requirements.txt')}`, 'bitsandbytes needed for QLoRA: pip install bitsandbytes', 'no CUDA GPU visible (nvidia-smi lists none)'],
    },
    { name: 'torch too old', probe: { packages: { ...ready.packages, torch: '1.13.0a0+gitunknown' } }, expect: [`torch 1.13.0a0+gitunknown (needs >=2.4) in /venv/bin/python: pip install -r ${requirements}`] },
    { name: 'QLoRA without bitsandbytes (not listed by the probe)', probe: { packages: { torch: '2.11.0', transformers: '5.17.0', peft: '0.18.0', accelerate: '1.15.0' } }, method: 'qlora', expect: ['bitsandbytes needed for QLoRA: pip install bitsandbytes'] },
    { name: 'a CPU-only torch', probe: { cuda: { available: false, version: null }, gpus: [] }, expect: ['no CUDA GPU visible (this torch is built without CUDA: install a CUDA build of torch)'] },
    { name: 'a GPU without bf16', probe: { bf16: false }, expect: ['this GPU has no bf16 support: set bf16 to false (fp16 mixed precision)'] },
    { name: 'a broken torch', probe: { errors: ['import torch failed: OSError: libcudart.so.12'] }, expect: ['import torch failed: OSError: libcudart.so.12 (/venv/bin/python)'] },
  ];
  for (const { name, probe: fields, method, expect } of hints) {
    it(`hints for ${name}`, () => assert.deepEqual(probeHints(probe(fields), requirements, method), expect));
  }

  it('blockers: missing packages block; no GPU, no bf16, and bitsandbytes for LoRA do not', () => {
    assert.deepEqual(trainingBlockers(probe({ cuda: { available: false, version: null }, gpus: [], packages: { ...ready.packages, bitsandbytes: null } }), requirements, 'lora'), []);
    assert.equal(trainingBlockers(probe({ packages: { ...ready.packages, bitsandbytes: null } }), requirements, 'qlora').length, 1);
    assert.match(trainingBlockers(probe({ packages: { ...ready.packages, torch: null } }), requirements, 'lora')[0]!, /^torch is not installed/);
  });

  it('requirements.txt: names and version specifiers; PEP 440 comparisons', () => {
    assert.deepEqual(requiredPackages(requirements), [{ name: 'torch', spec: '>=2.4' }, { name: 'transformers', spec: '>=5,<6' }, { name: 'peft', spec: '>=0.17' }, { name: 'accelerate', spec: '>=1.10' }]);
    const table: [string, string, boolean][] = [['2.11.0', '>=2.4', true], ['2.4', '>=2.4', true], ['2.3.1', '>=2.4', false], ['6.0.0', '>=5,<6', false], ['5.17.0', '>=5,<6', true], ['1.10.0', '>=1.10', true], ['1.9.9', '>=1.10', false]];
    for (const [version, spec, ok] of table) assert.equal(satisfies(version, spec), ok, `${version} ${spec}`);
  });

  const run = (mode: string, output: object = ready): Promise<EnvironmentProbe> =>
    probeEnvironment({ python: PYTHON, nativeBin: bin, timeoutMs: mode === 'sleep' ? 1500 : 20_000, env: { ...process.env, LLAVA_TEST_MODE: mode, LLAVA_TEST_PROBE: JSON.stringify(output) } });

  it('runs the probe module with PYTHONPATH=native-bin and parses its one JSON object, even after library chatter', async () => {
    for (const mode of ['', 'chatter']) {
      const result = await run(mode);
      assert.equal(result.ok, true, result.error ?? '');
      assert.equal(result.executable, '/venv/bin/python');
      assert.deepEqual(result.gpus, ready.gpus);
      assert.deepEqual(result.hints, []);
    }
  });

  it('says what went wrong: no interpreter, a hung probe, no worker package, garbage output', async () => {
    const missing = await probeEnvironment({ python: join(tree.root, 'no/python'), nativeBin: bin });
    assert.equal(missing.ok, false);
    assert.match(missing.hints[0]!, /^no python interpreter at .*no\/python: install Python 3\.10\+ or pass the path of one \(--python PATH\)$/);
    const hung = await run('sleep');
    assert.match(hung.hints[0]!, /did not answer within 2 s/);
    const noPackage = await probeEnvironment({ python: PYTHON, nativeBin: join(tree.root, 'empty') });
    assert.match(noPackage.hints[0]!, /the worker package is missing: expected .*empty\/llava_studio_worker/);
    const garbage = await run('garbage');
    assert.equal(garbage.ok, false);
    assert.match(garbage.hints[0]!, /ImportError: libcuda\.so\.1/);
  });

  it('the real probe (native-bin) with this machine\'s python', async function () {
    if (!existsSync(join(NATIVE_BIN, 'llava_studio_worker/probe.py'))) {
      this.test!.title += ' (skipped: native-bin/llava_studio_worker/probe.py does not exist yet)';
      this.skip();
    }
    const result = await probeEnvironment({ python: PYTHON, nativeBin: NATIVE_BIN });
    assert.equal(result.ok, true, result.error ?? '');
    for (const name of ['torch', 'transformers', 'peft', 'accelerate', 'bitsandbytes']) assert.ok(name in result.packages, name);
    const missing = Object.entries(result.packages).filter(([name, v]) => v === null && ['torch', 'transformers', 'peft', 'accelerate'].includes(name));
    if (missing.length > 0) assert.ok(result.hints.some((h) => h.endsWith(`: pip install -r ${join(NATIVE_BIN, 'requirements.txt')}`) && h.includes(missing[0]![0])), result.hints.join('\n'));
  });
});
