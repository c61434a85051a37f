import assert from 'node:assert/strict';
import { join } from 'node:path';
import { discoverRunFolders, isDiscoverablePath } from '../../../src/core/runs/discover';
import { sortEventFiles } from '../../../src/core/runs/layout';
import { goldenDir, makeTree } from '../helpers/tempTree';

describe('run discovery', () => {
  const tree = makeTree({
    // HF Trainer output dir mid-training: no top-level trainer_state.json yet
    'out/llava-lora/checkpoint-100/trainer_state.json': '{}',
    'out/llava-lora/checkpoint-200/adapter_config.json': '{}',
    'out/llava-lora/runs/Nov28_10-00-00_host/events.out.tfevents.1764324000.host.1.0': '',
    'out/llava-lora/runs/Nov28_12-00-00_host/events.out.tfevents.1764331200.host.2.0': '',
    // seed-notebook style: only logs under runs/
    'notebook/runs/Jan01_00-00-00_box/events.out.tfevents.1700000000.box.9.0': '',
    // Keras: each writer folder is its own run, as in TensorBoard
    'keras/logs/fit/20220213-124139/train/events.out.tfevents.1644728510.mac.local.1.0.v2': '',
    'keras/logs/fit/20220213-124139/validation/events.out.tfevents.1644728574.mac.local.1.1.v2': '',
    // TensorBoard convention: runs/<name>/ with custom names are separate runs
    'tb/runs/exp1/events.out.tfevents.1700000000.box.1.0': '',
    'tb/runs/exp2/events.out.tfevents.1700000100.box.2.0': '',
    // our own run
    'ours/run-1/run.json': '{"version":1,"status":"running","config":{},"plan":{}}',
    // someone else's run.json is not a run marker
    'foreign/run.json': '{"name":"a pipeline run"}',
    // LLaMA-Factory with report_to none: only trainer_log.jsonl until the first checkpoint
    'llamafactory/saves/qwen2vl/lora/sft/trainer_log.jsonl': '{"current_steps": 5, "total_steps": 10, "loss": 1.5}\n',
    // a workspace trained into "." that also holds another experiment
    'nested/trainer_state.json': '{}',
    'nested/runs/Nov28_09-00-00_host/events.out.tfevents.1764320400.host.1.0': '',
    'nested/exp2/trainer_state.json': '{}',
    'nested/exp2/runs/Nov28_11-00-00_host/events.out.tfevents.1764327600.host.2.0': '',
    // never searched
    'node_modules/pkg/trainer_state.json': '{}',
    '.hidden/trainer_state.json': '{}',
    'deep/a/b/c/d/e/f/g/trainer_state.json': '{}',
    'empty/': '',
  });
  after(() => tree.remove());

  it('finds every kind of run folder and nothing else', async () => {
    const runs = await discoverRunFolders([tree.root]);
    assert.deepEqual(runs.map((r) => r.name), [
      'keras/logs/fit/20220213-124139/train',
      'keras/logs/fit/20220213-124139/validation',
      'llamafactory/saves/qwen2vl/lora/sft',
      'nested',
      'nested/exp2',
      'notebook',
      'ours/run-1',
      'out/llava-lora',
      'tb/runs/exp1',
      'tb/runs/exp2',
    ]);
  });

  it('gives a run every event file under runs/*, oldest first, and does not list checkpoints as runs', async () => {
    const runs = await discoverRunFolders([tree.root]);
    const lora = runs.find((r) => r.name === 'out/llava-lora')!;
    assert.deepEqual(lora.eventFiles.map((f) => f.slice(lora.path.length + 1)), [
      'runs/Nov28_10-00-00_host/events.out.tfevents.1764324000.host.1.0',
      'runs/Nov28_12-00-00_host/events.out.tfevents.1764331200.host.2.0',
    ]);
    assert.deepEqual(lora.signals.checkpointDirs.sort(), ['checkpoint-100', 'checkpoint-200']);
  });

  it('a nested run keeps its own event files; the outer run keeps only the rest', async () => {
    const runs = await discoverRunFolders([tree.root]);
    const outer = runs.find((r) => r.name === 'nested')!;
    const inner = runs.find((r) => r.name === 'nested/exp2')!;
    assert.deepEqual(outer.eventFiles.map((f) => f.slice(outer.path.length + 1)), ['runs/Nov28_09-00-00_host/events.out.tfevents.1764320400.host.1.0']);
    assert.deepEqual(inner.eventFiles.map((f) => f.slice(inner.path.length + 1)), ['runs/Nov28_11-00-00_host/events.out.tfevents.1764327600.host.2.0']);
  });

  it('respects maxDepth and a custom exclude list', async () => {
    const deep = await discoverRunFolders([tree.root], { maxDepth: 9 });
    assert.ok(deep.some((r) => r.name === 'deep/a/b/c/d/e/f/g'));
    const excluded = await discoverRunFolders([tree.root], { exclude: ['keras', 'out', 'node_modules', 'tb', 'llamafactory', 'nested'] });
    assert.deepEqual(excluded.map((r) => r.name), ['notebook', 'ours/run-1']);
  });

  it('names a root that is itself a run by its folder name', async () => {
    const runs = await discoverRunFolders([join(tree.root, 'out/llava-lora')]);
    assert.deepEqual(runs.map((r) => r.name), ['llava-lora']);
  });

  it('returns nothing for a missing root', async () => {
    assert.deepEqual(await discoverRunFolders([join(tree.root, 'missing')]), []);
  });

  it('sorts event files by creation time then counter', () => {
    assert.deepEqual(sortEventFiles(['/r/events.out.tfevents.20.h.1.1', '/r/events.out.tfevents.20.h.1.0', '/r/events.out.tfevents.10.h']), [
      '/r/events.out.tfevents.10.h', '/r/events.out.tfevents.20.h.1.0', '/r/events.out.tfevents.20.h.1.1',
    ]);
  });

  it('finds the golden runs', async function () {
    const golden = goldenDir();
    if (!golden) return this.skip();
    const runs = await discoverRunFolders([join(golden, 'tfevents'), join(golden, 'hf_trainer')]);
    assert.deepEqual(runs.map((r) => r.name).sort(), [
      'hf_trainer_t5',
      'keras_tf2/logs/fit/20220213-124139/train',
      'keras_tf2/logs/fit/20220213-124139/validation',
      'qwen3_4b_grpo',
      'smolvlm256m_lora',
      'tensorboardx_2017/runs/example',
      'tf_estimator_graph_only',
    ]);
    const t5 = runs.find((r) => r.name === 'hf_trainer_t5')!;
    assert.equal(t5.eventFiles.length, 2);
    assert.match(t5.eventFiles[0]!, /\.0$/);
  });

  it('tells which new folders discovery would look at (the watcher rescans only for those)', () => {
    assert.equal(isDiscoverablePath('new-run'), true);
    assert.equal(isDiscoverablePath('out/llava-lora/runs'), true);
    assert.equal(isDiscoverablePath(join('a', 'b')), true);
    assert.equal(isDiscoverablePath('node_modules/pkg'), false);
    assert.equal(isDiscoverablePath('src/.git/objects'), false);
    assert.equal(isDiscoverablePath('.venv'), false);
    assert.equal(isDiscoverablePath(''), false, 'the root itself');
    assert.equal(isDiscoverablePath('../elsewhere'), false);
    assert.equal(isDiscoverablePath('1/2/3/4/5/6'), true);
    assert.equal(isDiscoverablePath('1/2/3/4/5/6/7'), false, 'deeper than maxDepth');
    assert.equal(isDiscoverablePath('logs/x', { exclude: ['logs'] }), false);
    assert.equal(isDiscoverablePath('node_modules/x', { exclude: ['logs'] }), true, 'a custom exclude list replaces the default');
  });
});
