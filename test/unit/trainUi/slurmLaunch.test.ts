import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadArchitecture } from '../../../src/core/training/modelSource';
import { execCommand, SlurmClient, type SlurmPlan } from '../../../src/core/training/slurm';
import { Supervisor } from '../../../src/core/training/supervisor';
import type { TrainHostMessage } from '../../../src/protocol/train';
import { initialDraft } from '../../../src/ui/training/formModel';
import { checkDataset } from '../../../src/ui/training/preflight';
import { TrainController } from '../../../src/ui/training/trainController';
import { TrainingRuns } from '../../../src/ui/training/trainingRuns';
import type { AlertView } from '../../../src/ui/training/liveState';
import { generateDemoWorkspace } from '../../../scripts/demo-workspace';
import { waitFor } from '../training/helpers';
import { slurmUnavailable, startSlurmCluster, type SlurmCluster } from '../training/slurmCluster';
import { MODEL_CONFIG_ONLY, NATIVE_BIN, tempDir } from './helpers';

const FAKE_PYTHON = resolve(__dirname, '../../fixtures/fake-python/python');

describe('Launch on SLURM from the form (a real single-node cluster, the fake python)', function () {
  this.timeout(120_000);
  let cluster: SlurmCluster | null = null;
  let skip = slurmUnavailable();
  let tmp: ReturnType<typeof tempDir>;
  before(async function () {
    this.timeout(60_000);
    tmp = tempDir();
    if (skip) return;
    try {
      cluster = await startSlurmCluster();
    } catch (error) {
      skip = (error as Error).message;
    }
  });
  after(async () => {
    await cluster?.stop();
    tmp.remove();
  });

  it('shows the sbatch script for review, submits it, follows the job and stops it with a checkpoint', async function () {
    if (skip) {
      this.test!.title += ` (skipped: ${skip})`;
      this.skip();
    }
    const workspace = join(tmp.dir, 'ws');
    generateDemoWorkspace(workspace);
    const reviewed: SlurmPlan[] = [];
    const alerts: AlertView[] = [];
    const posted: TrainHostMessage[] = [];
    const slurm = new SlurmClient(execCommand, cluster!.env);
    const runs = new TrainingRuns({
      createSupervisor: (runDir) => new Supervisor(runDir, { pollMs: 200, slurmPollMs: 200, slurm, env: { ...cluster!.env, FAKE_PYTHON_STEP_MS: '100' } }),
      graceMs: () => 60_000, onChange: () => undefined, onAlert: (_run, view) => alerts.push(view), pokeRun: () => undefined, refreshRuns: () => undefined, log: () => undefined,
    });
    const controller = new TrainController(initialDraft('llava-lora', 'runs/x'), {
      nativeBin: NATIVE_BIN, baseDir: () => workspace, python: async () => ({ path: FAKE_PYTHON, source: 'setting' }),
      probe: async () => { throw new Error('a SLURM launch must not probe here'); },
      searchModels: async () => ({ models: [], offline: true, message: null }),
      architecture: (model, base) => loadArchitecture(model, { baseDir: base, hubUrl: null }), checkDataset,
      pick: async () => undefined, chooseSaveFile: async () => undefined, chooseConfigFile: async () => undefined, writeFile: (p, t) => writeFile(p, t),
      copyText: async () => undefined, trusted: () => true, sbatchAvailable: () => true, hfToken: async () => undefined,
      reviewSlurmScript: async (plan) => { reviewed.push(plan); return true; },
      launch: async (request) => { await runs.launch(request); }, runAction: () => undefined, inform: () => undefined, log: () => undefined,
    }, (m) => posted.push(m));
    const draft = { ...controller.current(), model: MODEL_CONFIG_ONLY, datasetPath: join(workspace, 'datasets/demo-llava/llava_demo.json'), outputDir: 'runs/on-slurm',
      stepsMode: 'max_steps' as const, maxSteps: '100000', saveSteps: '5', loggingSteps: '1', slurmNodes: '1', slurmGpusPerNode: '0' };
    await controller.handleMessage({ kind: 'notify', type: 'draft', payload: { draft } });
    await controller.handleMessage({ kind: 'request', id: 1, method: 'launch', params: { target: 'slurm' } });
    const reply = posted.find((m) => m.kind === 'reply' && m.id === 1);
    const runDir = join(workspace, 'runs/on-slurm');
    assert.deepEqual(reply, { kind: 'reply', id: 1, result: { runDir } });
    assert.equal(reviewed.length, 1);
    assert.match(reviewed[0]!.script, new RegExp(`exec ${FAKE_PYTHON.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} -m llava_studio_worker\\.train --config ${runDir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/run\\.json`));
    const live = await waitFor(() => { const r = runs.get(runDir); return r && r.slurmJobId && r.status === 'running' && (r.step ?? 0) >= 6 ? r : null; }, 'the job running and stepping', 60_000);
    assert.match(live.slurmJobId!, /^\d+$/);
    assert.equal(await runs.stop(runDir), 'stopped');
    const stop = alerts.find((a) => /stopped at step \d+; checkpoint-\d+ saved/.test(a.message));
    assert.ok(stop, JSON.stringify(alerts));
    const step = Number(/checkpoint-(\d+) saved/.exec(stop.message)![1]);
    assert.ok(existsSync(join(runDir, `checkpoint-${step}`, 'trainer_state.json')));
    runs.dispose();
    controller.dispose();
  });
});
