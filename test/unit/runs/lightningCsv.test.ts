import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverRunFolders } from '../../../src/core/runs/discover';
import { openEventTail } from '../../../src/core/runs/eventTail';
import { csvCells, lightningCsvSeries } from '../../../src/core/runs/lightningCsv';
import { RunIndex } from '../../../src/core/runs/runIndex';
import { RunScalarsReader } from '../../../src/core/runs/scalarsReader';
import { makeTree } from '../helpers/tempTree';

// As Lightning's CSVLogger writes it: one row per log call, empty cells for metrics not logged then.
const METRICS = [
  'epoch,step,train_loss,val_loss,val_acc',
  '0,49,2.31,,',
  '0,99,1.87,,',
  '0,99,,1.95,0.41',
  '1,149,1.52,,',
  '1,199,nan,,',
  '1,199,,1.61,0.55',
].join('\n') + '\n';

describe("Lightning's CSVLogger metrics.csv", () => {
  it('becomes one series per metric column, skipping empty cells; Python nan/inf are read', () => {
    const series = lightningCsvSeries(METRICS);
    assert.deepEqual([...series.keys()], ['epoch', 'train_loss', 'val_loss', 'val_acc']);
    assert.deepEqual(series.get('train_loss')!.step, [49, 99, 149, 199]);
    assert.deepEqual(series.get('train_loss')!.value.slice(0, 3), [2.31, 1.87, 1.52]);
    assert.ok(Number.isNaN(series.get('train_loss')!.value[3]), 'nan is a NaN point, as TensorBoard keeps it');
    assert.deepEqual(series.get('val_loss')!.step, [99, 199]);
    assert.ok(series.get('val_loss')!.wall.every(Number.isNaN), 'no wall times in the file');
    assert.deepEqual(lightningCsvSeries('epoch,step,x\n0,1,inf\n0,2,-inf\n').get('x')!.value, [Infinity, -Infinity]);
  });

  it('skips a half-written last line, rows without a step and cells that are not numbers', () => {
    const series = lightningCsvSeries('step,loss,note\n1,0.5,hello\n,0.4,\n2,0.3,\n3,0.');
    assert.deepEqual(series.get('loss')!.step, [1, 2]);
    assert.equal(series.has('note'), false);
    assert.equal(lightningCsvSeries('loss\n0.5\n').size, 0, 'no step column: nothing to plot against');
    assert.equal(lightningCsvSeries('').size, 0);
  });

  it('reads quoted cells as Python\'s csv module writes them', () => {
    assert.deepEqual(csvCells('step,"a,b","say ""hi""",'), ['step', 'a,b', 'say "hi"', '']);
    assert.deepEqual([...lightningCsvSeries('step,"val/loss, ema"\n5,0.25\n').keys()], ['val/loss, ema']);
  });

  it('makes a run of lightning_logs/version_N or of any folder with metrics.csv + hparams.yaml, never of a lone metrics.csv', async () => {
    const tree = makeTree({
      'lightning_logs/version_0/metrics.csv': METRICS,
      'custom/my-run/metrics.csv': METRICS,
      'custom/my-run/hparams.yaml': 'lr: 0.001\n',
      'reports/metrics.csv': 'step,score\n1,2\n',
    });
    try {
      const runs = await discoverRunFolders([tree.root]);
      assert.deepEqual(runs.map((r) => r.name), ['custom/my-run', 'lightning_logs/version_0']);
    } finally {
      tree.remove();
    }
  });

  it('is the scalar source of its run: best val_loss, last step, source "lightning", re-read when rewritten', async () => {
    const tree = makeTree({ 'lightning_logs/version_3/metrics.csv': METRICS.split('\n').slice(0, 4).join('\n') + '\n' });
    const run = join(tree.root, 'lightning_logs/version_3');
    try {
      const index = new RunIndex(() => [tree.root], openEventTail);
      await index.rescan();
      const summary = index.get(run)!;
      assert.deepEqual([summary.source, summary.lastStep, summary.bestEvalLoss], ['lightning', 99, 1.95]);
      assert.deepEqual(summary.tags, ['epoch', 'train_loss', 'val_acc', 'val_loss']);

      const reader = new RunScalarsReader(run, openEventTail);
      assert.equal((await reader.update()).kind, 'replace');
      await new Promise((r) => setTimeout(r, 20));
      writeFileSync(join(run, 'metrics.csv'), METRICS); // the logger rewrites the whole file
      assert.equal((await reader.update()).kind, 'replace');
      assert.deepEqual(reader.snapshot().series.get('val_loss')!.value, [1.95, 1.61]);
      const refreshed = await index.refresh(run);
      assert.deepEqual([refreshed!.lastStep, refreshed!.bestEvalLoss], [199, 1.61]);
      index.dispose();
    } finally {
      tree.remove();
    }
  });
});
