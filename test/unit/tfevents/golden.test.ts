// Real event files from HF Trainer, Keras/TF2, tensorboardX (2017) and tf.estimator against the facts
// in shared/golden/README.md, which were found by a scan nobody on this project wrote.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readEventFile } from '../../../src/core/tfevents/read';
import type { EventFileContents } from '../../../src/core/tfevents/types';
import { fileSize, findEventFiles, goldenDir, NO_GOLDEN } from './helpers';

interface GoldenFacts {
  file: string;
  records: number;
  fileVersion: string | null;
  /** Scalar tags and their point counts: exactly these, nothing else (histogram tensors are not scalars). */
  scalars: Record<string, number>;
  texts: Record<string, number>;
  /** The README's step range; it comes from records carrying a step field, and proto3 leaves step 0 out. */
  steps: [number, number] | null;
}

const HF_RUN = 'tfevents/hf_trainer_t5/runs/Mar24_22-23-40_DESKTOP-41L2EO3';
const KERAS_RUN = 'tfevents/keras_tf2/logs/fit/20220213-124139';
const TBX_RUN = 'tfevents/tensorboardx_2017/runs/example';

const FACTS: GoldenFacts[] = [
  {
    file: `${HF_RUN}/events.out.tfevents.1742826235.DESKTOP-41L2EO3.107869.0`,
    records: 1729,
    fileVersion: 'brain.Event:2',
    scalars: {
      'train/epoch': 431,
      'train/grad_norm': 430,
      'train/learning_rate': 430,
      'train/loss': 430,
      'train/total_flos': 1,
      'train/train_loss': 1,
      'train/train_runtime': 1,
      'train/train_samples_per_second': 1,
      'train/train_steps_per_second': 1,
    },
    texts: { 'args/text_summary': 1, 'model_config/text_summary': 1 },
    steps: [500, 215337],
  },
  {
    file: `${HF_RUN}/events.out.tfevents.1742884204.DESKTOP-41L2EO3.107869.1`,
    records: 11,
    fileVersion: 'brain.Event:2',
    scalars: Object.fromEntries(
      ['gen_len', 'loss', 'rouge1', 'rouge2', 'rougeL', 'rougeLsum', 'runtime', 'samples_per_second', 'steps_per_second']
        .map((name) => [`eval/${name}`, 1])
        .concat([['train/epoch', 1]]),
    ),
    texts: {},
    steps: [215337, 215337],
  },
  {
    file: `${KERAS_RUN}/train/events.out.tfevents.1644728510.huangyuan3hdeMacBook-Pro.local.73068.0.v2`,
    records: 582,
    fileVersion: 'brain.Event:2',
    scalars: { epoch_loss: 20, epoch_mae: 20 },
    texts: {},
    steps: [1, 19],
  },
  {
    file: `${KERAS_RUN}/validation/events.out.tfevents.1644728574.huangyuan3hdeMacBook-Pro.local.73068.1.v2`,
    records: 81,
    fileVersion: 'brain.Event:2',
    scalars: { epoch_loss: 20, epoch_mae: 20, evaluation_loss_vs_iterations: 20, evaluation_mae_vs_iterations: 20 },
    texts: {},
    steps: [1, 20],
  },
  {
    file: `${TBX_RUN}/events.out.tfevents.1511406632.mba2012mid.lan`,
    records: 536,
    fileVersion: null,
    scalars: { 'test/accuracy': 5, 'test/loss': 5, 'train/loss': 524 },
    texts: {},
    steps: [1, 5221],
  },
  {
    file: `${TBX_RUN}/events.out.tfevents.1511441337.mba2012mid.lan`,
    records: 1042,
    fileVersion: null,
    scalars: { 'test/accuracy': 10, 'test/loss': 10, 'train/loss': 940 },
    texts: {},
    steps: [1, 9380],
  },
  {
    file: 'tfevents/tf_estimator_graph_only/events.out.tfevents.1746384532.V',
    records: 5,
    fileVersion: 'brain.Event:2',
    scalars: {},
    texts: {},
    steps: null,
  },
];

function counts(contents: EventFileContents): { scalars: Record<string, number>; texts: Record<string, number> } {
  const scalars = Object.fromEntries([...contents.scalars].map(([tag, series]) => [tag, series.step.length]));
  const texts: Record<string, number> = {};
  for (const text of contents.texts) texts[text.tag] = (texts[text.tag] ?? 0) + 1;
  return { scalars, texts };
}

function nonZeroStepRange(contents: EventFileContents): [number, number] | null {
  const steps = [...contents.scalars.values()].flatMap((series) => series.step).concat(contents.texts.map((t) => t.step));
  const present = steps.filter((step) => step !== 0);
  return present.length === 0 ? null : [Math.min(...present), Math.max(...present)];
}

const golden = goldenDir();

// Mocha has no skip reasons, so the suite title carries it.
describe(golden === null ? `tfevents golden files (skipped: ${NO_GOLDEN})` : 'tfevents golden files', function () {
  before(function () {
    if (golden === null) this.skip();
  });

  it('has a fact row for every golden event file', function () {
    if (golden === null) return this.skip();
    const onDisk = findEventFiles(path.join(golden, 'tfevents')).map((file) => path.relative(golden, file));
    assert.deepEqual(onDisk.sort(), FACTS.map((facts) => facts.file).sort());
  });

  for (const facts of FACTS) {
    it(`agrees with the README on ${path.basename(facts.file)}`, async function () {
      if (golden === null) return this.skip();
      const file = path.join(golden, facts.file);
      const contents = await readEventFile(file);
      assert.equal(contents.damage, null);
      assert.equal(contents.validBytes, fileSize(file));
      assert.equal(contents.records, facts.records);
      assert.equal(contents.fileVersion, facts.fileVersion);
      assert.deepEqual(counts(contents), { scalars: facts.scalars, texts: facts.texts });
      assert.deepEqual(nonZeroStepRange(contents), facts.steps);
      for (const series of contents.scalars.values()) {
        assert.ok(series.wall.every((wall) => wall > 1.4e9 && wall < 1.8e9), 'wall times are plausible epoch seconds');
      }
    });
  }

  it("agrees with trainer_state.json's log_history on HF train/loss", async function () {
    if (golden === null) return this.skip();
    const state = JSON.parse(readFileSync(path.join(golden, 'tfevents/hf_trainer_t5/trainer_state.json'), 'utf8')) as {
      log_history: { step: number; loss?: number }[];
    };
    const expected = state.log_history.filter((entry) => entry.loss !== undefined);
    const contents = await readEventFile(path.join(golden, FACTS[0]!.file));
    const loss = contents.scalars.get('train/loss');
    assert.ok(loss);
    assert.deepEqual(loss.step, expected.map((entry) => entry.step));
    // The event file holds float32; the JSON holds the float64 the Trainer logged.
    assert.deepEqual(loss.value, expected.map((entry) => Math.fround(entry.loss!)));
  });

  it('reads the HF text summaries as the JSON the Trainer wrote', async function () {
    if (golden === null) return this.skip();
    const contents = await readEventFile(path.join(golden, FACTS[0]!.file));
    const args = contents.texts.find((text) => text.tag === 'args/text_summary');
    assert.ok(args);
    assert.match(args.text, /"output_dir": "\/home\/cora\/my_models\/t5-summarization"/);
  });
});
