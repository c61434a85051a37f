import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadArchitecture } from '../../../src/core/training/modelSource';
import type { EnvironmentProbe } from '../../../src/core/training/probe';
import type { LaunchRequest } from '../../../src/core/training/supervisorTypes';
import type { DatasetView, EstimateView, TrainDraft, TrainHostMessage } from '../../../src/protocol/train';
import { initialDraft } from '../../../src/ui/training/formModel';
import { checkDataset } from '../../../src/ui/training/preflight';
import { TrainController, type TrainControllerDeps } from '../../../src/ui/training/trainController';
import { generateDemoWorkspace } from '../../../scripts/demo-workspace';
import { waitFor } from '../training/helpers';
import { bareProbe, MODEL_CONFIG_ONLY, NATIVE_BIN, readyProbe, tempDir } from './helpers';

type Notify = Extract<TrainHostMessage, { kind: 'notify' }>;

describe('fine-tune panel controller', function () {
  this.timeout(30_000);
  let tmp: ReturnType<typeof tempDir>;
  let workspace: string;
  let dataset: string;
  before(() => {
    tmp = tempDir();
    workspace = join(tmp.dir, 'ws');
    generateDemoWorkspace(workspace);
    dataset = join(workspace, 'datasets/demo-llava/llava_demo.json');
  });
  after(() => tmp.remove());

  function setup(probe: EnvironmentProbe = readyProbe(), overrides: Partial<TrainControllerDeps> = {}) {
    const posted: TrainHostMessage[] = [];
    const launched: LaunchRequest[] = [];
    const logged: string[] = [];
    const copied: string[] = [];
    const deps: TrainControllerDeps = {
      nativeBin: NATIVE_BIN,
      baseDir: () => workspace,
      python: async () => ({ path: 'python3', source: 'default' }),
      probe: async () => probe,
      searchModels: async () => ({ models: [], offline: true, message: 'offline' }),
      architecture: (model, base) => loadArchitecture(model, { baseDir: base, hubUrl: null }),
      checkDataset,
      pick: async () => dataset,
      chooseSaveFile: async (suggested) => suggested,
      chooseConfigFile: async () => join(workspace, 'pets.train.json'),
      writeFile: (path, text) => writeFile(path, text),
      copyText: async (text) => { copied.push(text); },
      trusted: () => true,
      sbatchAvailable: () => false,
      hfToken: async () => undefined,
      reviewSlurmScript: async () => true,
      launch: async (request) => { launched.push(request); },
      runAction: () => undefined,
      inform: () => undefined,
      log: (m) => { logged.push(m); },
      now: () => new Date(2025, 5, 12, 15, 30),
      ...overrides,
    };
    const controller = new TrainController(initialDraft('llava-lora', 'runs/default'), deps, (m) => posted.push(m));
    const notices = <T extends Notify['type']>(type: T) => {
      const out: unknown[] = [];
      for (const m of posted) if (m.kind === 'notify' && m.type === type) out.push(m.payload);
      return out as Array<Extract<Notify, { type: T }>['payload']>;
    };
    const last = <T extends Notify['type']>(type: T) => notices(type).at(-1);
    const replies = () => posted.flatMap((m) => (m.kind === 'reply' ? [m] : []));
    let id = 0;
    const request = async (method: string, params: unknown) => {
      const n = ++id;
      await controller.handleMessage({ kind: 'request', id: n, method, params });
      return replies().find((r) => r.id === n)!;
    };
    const edit = (edits: Partial<TrainDraft>) => controller.handleMessage({ kind: 'notify', type: 'draft', payload: { draft: { ...controller.current(), ...edits } } });
    return { controller, posted, launched, logged, copied, notices, last, request, edit };
  }

  it('answers ready with the form, the issues of an empty form, and starts the checks', async () => {
    const t = setup();
    await t.controller.handleMessage({ kind: 'notify', type: 'ready', payload: {} });
    const init = t.last('init')!;
    assert.equal(init.draft.preset, 'llava-lora');
    assert.deepEqual(init.options.methods, ['lora', 'qlora', 'projector']);
    assert.ok(init.presets.some((p) => p.name === 'small-gpu-12gb'));
    assert.deepEqual(t.last('issues')!.issues.map((i) => i.field).sort(), ['datasetPath', 'model']);
    await waitFor(() => t.last('probe')?.state === 'done', 'probe');
    await waitFor(() => t.last('estimate')?.state === 'idle', 'estimate idle');
    t.controller.dispose();
  });

  it('checks the dataset and estimates memory against the probed GPU as the form fills in', async () => {
    const t = setup();
    await t.controller.handleMessage({ kind: 'notify', type: 'ready', payload: {} });
    await t.edit({ model: MODEL_CONFIG_ONLY, datasetPath: dataset });
    assert.deepEqual(t.last('issues')!.issues, []);
    const view = await waitFor(() => { const v = t.last('dataset'); return v?.state === 'done' ? v : null; }, 'dataset check') as Extract<DatasetView, { state: 'done' }>;
    assert.deepEqual([view.format, view.rows, view.rowsOk], ['llava-json', 8, 8]);
    const estimate = await waitFor(() => { const v = t.last('estimate'); return v?.state === 'done' ? v : null; }, 'estimate') as Extract<EstimateView, { state: 'done' }>;
    assert.equal(estimate.budgetSource, 'gpu');
    assert.equal(estimate.gpuName, 'NVIDIA H200');
    assert.equal(estimate.fits, true);
    assert.ok(estimate.totalGb > 14 && estimate.totalGb < 142, `${estimate.totalGb} GB`);
    assert.equal(Math.round(estimate.params.total / 1e8), 71);
    t.controller.dispose();
  });

  it('lists settings that would fit a small GPU and applies the one clicked', async () => {
    const t = setup(readyProbe({ gpus: [{ name: 'RTX 4090', total_mb: 24564, free_mb: 24000 }] }));
    await t.controller.handleMessage({ kind: 'notify', type: 'ready', payload: {} });
    await t.edit({ model: MODEL_CONFIG_ONLY, datasetPath: dataset });
    const estimate = await waitFor(() => { const v = t.last('estimate'); return v?.state === 'done' && v.budgetSource === 'gpu' ? v : null; }, 'estimate') as Extract<EstimateView, { state: 'done' }>;
    assert.equal(estimate.fits, false);
    assert.ok(estimate.suggestions.length > 0);
    const reply = await t.request('applySuggestion', { index: 0 });
    assert.equal(reply.error, undefined);
    const echoed = t.last('draft')!.draft;
    assert.ok(echoed.method === 'qlora' || Number(echoed.perDeviceBatch) < 16, JSON.stringify(echoed));
    await waitFor(() => { const v = t.last('estimate'); return v?.state === 'done' && v.fits; }, 'the applied suggestion fits');
    assert.match((await t.request('applySuggestion', { index: 19 })).error!, /no suggestion 19/);
    t.controller.dispose();
  });

  it('applies presets and picks through requests, echoing the new draft', async () => {
    const t = setup();
    await t.controller.handleMessage({ kind: 'notify', type: 'ready', payload: {} });
    assert.deepEqual(await t.request('pick', { target: 'datasetFile' }), { kind: 'reply', id: 1, result: { path: dataset } });
    assert.equal(t.last('draft')!.draft.datasetPath, dataset);
    await t.request('applyPreset', { name: 'qlora' });
    assert.deepEqual([t.last('draft')!.draft.method, t.last('draft')!.draft.loraR, t.last('draft')!.draft.datasetPath], ['qlora', '64', dataset]);
    assert.match((await t.request('applyPreset', { name: 'bogus' })).error!, /unknown preset 'bogus'/);
    t.controller.dispose();
  });

  it('the output folder follows the model and method until someone types one', async () => {
    const t = setup();
    await t.controller.handleMessage({ kind: 'notify', type: 'ready', payload: {} });
    await t.edit({ model: 'llava-hf/llava-1.5-7b-hf' });
    assert.equal(t.controller.current().outputDir, 'runs/llava-1.5-7b-hf-lora-0612-1530');
    await t.edit({ method: 'qlora' });
    assert.equal(t.controller.current().outputDir, 'runs/llava-1.5-7b-hf-qlora-0612-1530');
    await t.edit({ outputDir: 'runs/mine' });
    await t.edit({ model: 'Qwen/Qwen2-VL-2B-Instruct' });
    assert.equal(t.controller.current().outputDir, 'runs/mine');
    t.controller.dispose();
  });

  it('answers a malformed request with the reason and ignores a malformed notice', async () => {
    const t = setup();
    await t.controller.handleMessage({ kind: 'request', id: 7, method: 'launch', params: { target: 'moon' } });
    const reply = t.posted.find((m) => m.kind === 'reply' && m.id === 7);
    assert.ok(reply && reply.kind === 'reply');
    assert.match(reply.error!, /message\.params\.target: expected one of "local", "slurm"/);
    await t.controller.handleMessage({ kind: 'notify', type: 'draft', payload: { draft: { model: 1 } } });
    await t.controller.handleMessage('rm -rf /');
    assert.equal(t.posted.length, 1, 'nothing posted for bad notices');
    assert.equal(t.logged.length, 3);
    assert.match(t.logged[1]!, /fine-tune panel: invalid message at message\.payload\.draft/);
  });

  it('launches with the probed interpreter once every check passes', async () => {
    const t = setup();
    await t.controller.handleMessage({ kind: 'notify', type: 'ready', payload: {} });
    await t.edit({ model: MODEL_CONFIG_ONLY, datasetPath: dataset, stepsMode: 'max_steps', maxSteps: '30' });
    const reply = await t.request('launch', { target: 'local' });
    assert.equal(reply.error, undefined);
    assert.equal(t.launched.length, 1);
    const { config, plan, gpus } = t.launched[0]!;
    assert.equal(plan.kind, 'local');
    assert.equal(plan.kind === 'local' && plan.argv[0], '/venv/bin/python');
    assert.equal(config.output_dir, join(workspace, 'runs/llava-1.5-7b-config-lora-0612-1530'));
    assert.equal(config.max_steps, 30);
    assert.equal(gpus?.[0]?.name, 'NVIDIA H200');
    assert.deepEqual(t.last('launch'), { state: 'launched', message: `Training in ${config.output_dir}`, runDir: config.output_dir });
    t.controller.dispose();
  });

  it('refuses to launch without torch and says what the worker would say', async () => {
    const t = setup(bareProbe());
    await t.controller.handleMessage({ kind: 'notify', type: 'ready', payload: {} });
    await t.edit({ model: MODEL_CONFIG_ONLY, datasetPath: dataset });
    const probe = await waitFor(() => { const p = t.last('probe'); return p?.state === 'done' ? p : null; }, 'probe');
    assert.equal(probe.state === 'done' && probe.workerMessage, `torch is not installed in /usr/bin/python3: pip install -r ${join(NATIVE_BIN, 'requirements.txt')}`);
    await t.request('launch', { target: 'local' });
    assert.equal(t.launched.length, 0);
    assert.equal(t.last('launch')!.state, 'error');
    assert.match(t.last('launch')!.message, /cannot train with \/usr\/bin\/python3: torch, transformers, peft, accelerate/);
    t.controller.dispose();
  });

  it('saves a config, copies the CLI command for it, and loads it back', async () => {
    const t = setup();
    await t.controller.handleMessage({ kind: 'notify', type: 'ready', payload: {} });
    await t.edit({ model: MODEL_CONFIG_ONLY, datasetPath: dataset, outputDir: 'runs/pets', seed: '7' });
    const saved = await t.request('copyCommand', { kind: 'cli' });
    const file = join(workspace, 'pets.train.json');
    assert.deepEqual(saved.result, { text: `llava-studio train ${file}` });
    assert.ok(existsSync(file));
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { seed: number }).seed, 7);
    await t.edit({ seed: '8', model: 'llava-hf/llava-1.5-7b-hf' });
    await t.request('loadConfig', {});
    const loaded = t.last('draft')!.draft;
    assert.deepEqual([loaded.seed, loaded.model, loaded.datasetPath, loaded.outputDir], ['7', MODEL_CONFIG_ONLY, dataset, join(workspace, 'runs/pets')]);
    const python = await t.request('copyCommand', { kind: 'python' });
    assert.match((python.result as { text: string }).text, /\/venv\/bin\/python -m llava_studio_worker\.train --config .*runs\/pets\/run\.json$/);
    t.controller.dispose();
  });
});
