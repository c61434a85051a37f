import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readConfigFile } from '../../../src/core/training/config';
import type { LocalPlan } from '../../../src/core/training/launchPlan';
import type { SlurmPlan } from '../../../src/core/training/slurm';
import type { TrainDraft } from '../../../src/protocol/train';
import { completeDraft, initialDraft } from '../../../src/ui/training/formModel';
import { cliCommandText, configFileText, occupiedRunFolder, prepareLaunch, pythonCommandText, slurmOptionsOf, type LaunchInputs } from '../../../src/ui/training/launchRequest';
import { bareProbe, cleanDataset, dirtyDataset, NATIVE_BIN, readyProbe, tempDir } from './helpers';

describe('launching from the form', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => { tmp = tempDir(); });
  afterEach(() => tmp.remove());

  const draft = (edits: Partial<TrainDraft> = {}): TrainDraft => ({
    ...initialDraft('llava-lora', 'runs/first'), model: 'llava-hf/llava-1.5-7b-hf', datasetPath: 'data/train.json', ...edits,
  });
  const inputs = (fields: Partial<LaunchInputs> = {}): LaunchInputs => ({
    draft: draft(), target: 'local', baseDir: tmp.dir, nativeBin: NATIVE_BIN, python: 'python3', probe: readyProbe(), dataset: cleanDataset(),
    trusted: true, exists: existsSync, ...fields,
  });

  const refusals: [string, Partial<LaunchInputs>, RegExp][] = [
    ['an untrusted workspace', { trusted: false }, /not trusted: LLaVA Studio starts no training processes/],
    ['a field with a problem', { draft: draft({ lr: 'fast' }) }, /fix the highlighted field first \(lr: must be number/],
    ['several fields with problems', { draft: draft({ lr: 'fast', seed: '-1' }) }, /fix the 2 highlighted fields first/],
    ['a dataset still being checked', { dataset: { state: 'running', path: '/d', rowsChecked: 3 } }, /still running/],
    ['an unreadable dataset', { dataset: { state: 'error', path: '/d', message: 'not JSON at byte 7' } }, /cannot be read: not JSON at byte 7/],
    ['bad rows not acknowledged', { dataset: dirtyDataset() }, /3 of 10 rows have problems: fix them, or tick "Drop bad rows"/],
    ['no usable row at all, even when dropping', { dataset: { ...dirtyDataset(), rowsOk: 0, rowsWithProblems: 10 }, draft: draft({ dropBadRows: true }) }, /no usable row/],
    ['an interpreter without torch', { probe: bareProbe() }, /cannot train with \/usr\/bin\/python3: torch, transformers, peft, accelerate, .* are not installed/],
    ['QLoRA without bitsandbytes', { draft: draft({ method: 'qlora' }) }, /bitsandbytes needed for QLoRA/],
    ['a probe not finished', { probe: null }, /environment check has not finished/],
  ];
  for (const [name, fields, error] of refusals) {
    it(`refuses ${name}`, () => {
      const prepared = prepareLaunch(inputs(fields));
      assert.ok('error' in prepared, 'refused');
      assert.match(prepared.error, error);
    });
  }

  it('refuses an output folder that already holds a run, ours or a Trainer\'s', () => {
    for (const marker of ['run.json', 'trainer_state.json', 'checkpoint-200']) {
      const runDir = join(tmp.dir, `runs/${marker}`);
      mkdirSync(join(runDir, marker === 'checkpoint-200' ? marker : ''), { recursive: true });
      if (marker !== 'checkpoint-200') writeFileSync(join(runDir, marker), '{}');
      const prepared = prepareLaunch(inputs({ draft: draft({ outputDir: `runs/${marker}` }) }));
      assert.ok('error' in prepared);
      assert.match(prepared.error, new RegExp(`already holds a run \\(${marker}\\): choose another output folder, or resume that run`));
    }
    assert.equal(occupiedRunFolder(join(tmp.dir, 'nothing-here')), null);
  });

  it('launches locally with the probed interpreter, paths resolved against the workspace', () => {
    const prepared = prepareLaunch(inputs({ dataset: dirtyDataset(), draft: draft({ dropBadRows: true, pushEnabled: true, pushRepoId: 'me/pets' }) }));
    assert.ok(!('error' in prepared), JSON.stringify(prepared));
    const plan = prepared.plan as LocalPlan;
    assert.equal(plan.kind, 'local');
    assert.equal(prepared.config.output_dir, join(tmp.dir, 'runs/first'));
    assert.equal(prepared.config.dataset.path, join(tmp.dir, 'data/train.json'));
    assert.equal(prepared.config.model, 'llava-hf/llava-1.5-7b-hf', 'a Hub id stays a Hub id');
    assert.deepEqual(plan.argv, ['/venv/bin/python', '-m', 'llava_studio_worker.train', '--config', join(tmp.dir, 'runs/first/run.json')]);
    assert.equal('secretEnv' in plan, false, 'no token for the worker, pushing or not: LLaVA Studio pushes after `finished`');
    assert.equal(plan.env.PYTHONPATH, NATIVE_BIN);
  });

  it('plans a SLURM job without probing here (the job runs elsewhere), with the form\'s nodes, GPUs, partition and time', () => {
    const prepared = prepareLaunch(inputs({ target: 'slurm', probe: null, python: '/shared/venv/bin/python', draft: draft({ slurmNodes: '2', slurmGpusPerNode: '4', slurmPartition: 'gpu', slurmTime: '12:00:00' }) }));
    assert.ok(!('error' in prepared), JSON.stringify(prepared));
    const plan = prepared.plan as SlurmPlan;
    assert.equal(plan.kind, 'slurm');
    assert.deepEqual([plan.slurm.nodes, plan.slurm.gpusPerNode, plan.slurm.partition, plan.slurm.time], [2, 4, 'gpu', '12:00:00']);
    assert.match(plan.script, /#SBATCH --nodes=2\n/);
    assert.match(plan.script, /#SBATCH --gpus-per-node=4\n/);
    assert.match(plan.script, /#SBATCH --partition=gpu\n/);
    assert.match(plan.script, /#SBATCH --time=12:00:00\n/);
    assert.match(plan.script, /\/shared\/venv\/bin\/python -m accelerate\.commands\.launch --num_machines 2 --num_processes 8/);
    assert.equal(plan.slurm.jobName, 'llava-studio-first');
  });

  const badSlurm: [Partial<TrainDraft>, RegExp][] = [
    [{ slurmNodes: '0' }, /nodes must be a whole number ≥ 1 \(got '0'\)/],
    [{ slurmNodes: 'two' }, /nodes must be a whole number/],
    [{ slurmGpusPerNode: '-1' }, /GPUs per node must be a whole number ≥ 0/],
    [{ slurmTime: 'tomorrow' }, /time limit must look like HH:MM:SS/],
  ];
  for (const [edits, error] of badSlurm) {
    it(`refuses SLURM settings ${JSON.stringify(edits)}`, () => {
      assert.throws(() => slurmOptionsOf(draft(edits), '/r'), error);
      const prepared = prepareLaunch(inputs({ target: 'slurm', draft: draft(edits) }));
      assert.ok('error' in prepared && error.test(prepared.error));
    });
  }

  it('refuses a partition sbatch would misread, and a run folder with a newline, before anything is written', () => {
    const partition = prepareLaunch(inputs({ target: 'slurm', draft: draft({ slurmPartition: 'gpu #bad' }) }));
    assert.ok('error' in partition && /partition must be letters, digits, _ \. , - \(got 'gpu #bad'\)/.test(partition.error), JSON.stringify(partition));
    const newline = prepareLaunch(inputs({ target: 'slurm', draft: draft({ outputDir: 'runs/a\nb' }) }));
    assert.ok('error' in newline && /run folder ".*runs\/a\\nb" has a control character \(\\x0a\)/.test(newline.error), JSON.stringify(newline));
  });

  it('saves a *.train.json that loads back to the same config, with paths relative to the file', async () => {
    mkdirSync(join(tmp.dir, 'models/llava'), { recursive: true });
    const config = completeDraft(draft({ model: join(tmp.dir, 'models/llava'), datasetPath: join(tmp.dir, 'data/train.json'), outputDir: join(tmp.dir, 'runs/first'), evalMode: 'file', evalPath: join(tmp.dir, 'data/eval.json') }));
    const file = join(tmp.dir, 'configs', 'pets.train.json');
    mkdirSync(join(tmp.dir, 'configs'));
    const text = configFileText(config, file, existsSync);
    const saved = JSON.parse(text) as Record<string, unknown> & { dataset: Record<string, unknown> };
    assert.equal(saved.model, '../models/llava');
    assert.equal(saved.output_dir, '../runs/first');
    assert.deepEqual([saved.dataset.path, saved.dataset.eval_path, saved.dataset.images_dir], ['../data/train.json', '../data/eval.json', null]);
    writeFileSync(file, text);
    assert.deepEqual(await readConfigFile(file), config);
  });

  it('copies commands a terminal accepts', () => {
    assert.equal(cliCommandText('/w/configs/pets.train.json'), 'llava-studio train /w/configs/pets.train.json');
    assert.equal(cliCommandText("/w/my configs/it's.train.json"), "llava-studio train '/w/my configs/it'\\''s.train.json'");
    assert.equal(cliCommandText('/w/a.train.json', 'slurm', { nodes: 2, gpusPerNode: 8, partition: 'gpu', time: '1:00:00' }), 'llava-studio train /w/a.train.json --slurm --nodes 2 --gpus-per-node 8 --partition gpu --time 1:00:00');
    const prepared = prepareLaunch(inputs({ draft: draft({ pushEnabled: true, pushRepoId: 'me/pets' }) }));
    assert.ok(!('error' in prepared));
    const text = pythonCommandText(prepared.plan as LocalPlan, prepared.config.push);
    const lines = text.split('\n');
    assert.match(lines[0]!, /^# reads .*run\.json/);
    assert.match(lines[1]!, new RegExp(`^PYTHONPATH=${NATIVE_BIN.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} PYTHONUNBUFFERED=1 .* /venv/bin/python -m llava_studio_worker\\.train --config ${tmp.dir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/runs/first/run\\.json$`));
    assert.match(lines[2]!, /^# then push final\/ \(the token from HF_TOKEN or stdin, never the command line\):$/);
    assert.match(lines[3]!, new RegExp(`^PYTHONPATH=\\S+ /venv/bin/python -m llava_studio_worker\\.push --run ${tmp.dir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/runs/first --repo-id me/pets --private$`));
    assert.doesNotMatch(text, /hf_[A-Za-z]|HF_TOKEN=/);
    assert.equal(pythonCommandText(prepared.plan as LocalPlan).split('\n').length, 2, 'no push line for a run that does not push');
  });
});
