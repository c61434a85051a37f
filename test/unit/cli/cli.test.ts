import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli';
import { commonParent } from '../../../src/cli/scalarsCommand';
import { encodeRecords, type EventSpec } from '../../../src/core/tfevents/writer';
import { goldenDir, makeTree } from '../helpers/tempTree';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

const points = (tag: string, steps: number[]): EventSpec[] => steps.map((step) => ({ kind: 'scalar', tag, step, wall: 1_700_000_000 + step, value: step / 10 }));

describe('cli', () => {
  const tree = makeTree({ 'exp/a/': '', 'exp/b/': '', 'exp/b/checkpoint-3/adapter_config.json': '{}', 'exp/b/checkpoint-3/adapter_model.safetensors': 'x' });
  const fileA = join(tree.root, 'exp/a/events.out.tfevents.1700000000.h.1.0');
  const fileB = join(tree.root, 'exp/b/events.out.tfevents.1700000000.h.2.0');
  before(() => {
    writeFileSync(fileA, encodeRecords([{ kind: 'file_version', wall: 1_700_000_000 }, ...points('train/loss', [1, 2, 3]), ...points('eval/loss', [3])]));
    const good = encodeRecords(points('train/loss', [1, 2]));
    const damaged = encodeRecords(points('train/loss', [3]));
    damaged[damaged.length - 1]! ^= 0xff;
    writeFileSync(fileB, Buffer.concat([good, damaged]));
  });
  after(() => tree.remove());

  it('scalars --json names runs relative to the common parent and reports damage without failing', async () => {
    const { code, out } = await cli('scalars', join(tree.root, 'exp'), '--json');
    assert.equal(code, 0);
    const report = JSON.parse(out) as { files: { path: string; records: number; damage: { offset: number; reason: string } | null }[]; series: Record<string, { step: number[]; wall: number[]; value: number[] }> };
    assert.deepEqual(Object.keys(report.series).sort(), ['a/eval/loss', 'a/train/loss', 'b/train/loss']);
    assert.deepEqual(report.series['a/train/loss']!.step, [1, 2, 3]);
    assert.deepEqual(report.series['b/train/loss']!.step, [1, 2]);
    const damaged = report.files.find((f) => f.path === fileB)!;
    assert.equal(damaged.records, 2);
    assert.ok(damaged.damage && damaged.damage.offset > 0 && /crc/.test(damaged.damage.reason), JSON.stringify(damaged.damage));
    assert.equal(report.files.find((f) => f.path === fileA)!.damage, null);
  });

  it('scalars with one run uses "." and filters tags by regex', async () => {
    const { out } = await cli('scalars', fileA, '--tag', '^train/', '--json');
    assert.deepEqual(Object.keys(JSON.parse(out).series), ['./train/loss']);
  });

  it('scalars --csv writes one row per point', async () => {
    const { code, out } = await cli('scalars', fileA, '--csv');
    assert.equal(code, 0);
    const lines = out.trim().split('\n');
    assert.equal(lines[0], 'run,tag,step,wall_time,value');
    assert.equal(lines.length, 1 + 4);
    assert.ok(lines.includes('.,train/loss,2,1700000002,0.20000000298023224'));
  });

  it('exit code 2 for a missing path, a bad regex, or an unknown command', async () => {
    assert.equal((await cli('scalars', join(tree.root, 'nope'))).code, 2);
    const badRegex = await cli('scalars', fileA, '--tag', '(');
    assert.equal(badRegex.code, 2);
    assert.match(badRegex.err, /--tag is not a valid regular expression/);
    assert.equal((await cli('frobnicate')).code, 2);
    assert.equal((await cli('scalars', fileA, '--nope')).code, 2);
  });

  it('runs --json prints the contract shape', async () => {
    const { code, out } = await cli('runs', tree.root, '--json');
    assert.equal(code, 0);
    const runs = JSON.parse(out) as Record<string, unknown>[];
    assert.deepEqual(runs.map((r) => r.name), ['exp/a', 'exp/b']);
    for (const run of runs) assert.deepEqual(Object.keys(run), ['path', 'name', 'status', 'lastStep', 'checkpoints', 'tags']);
    const b = runs[1] as { lastStep: number; checkpoints: unknown[]; tags: string[] };
    assert.equal(b.lastStep, 3);
    assert.deepEqual(b.checkpoints, [{ step: 3, path: join(tree.root, 'exp/b/checkpoint-3'), hasAdapter: true }]);
    assert.deepEqual(b.tags, ['train/loss']);
  });

  it('commonParent of folders', () => {
    assert.equal(commonParent(['/a/b/c', '/a/b/d/e']), '/a/b');
    assert.equal(commonParent(['/a/b']), '/a/b');
    assert.equal(commonParent(['/x', '/y']), '/');
  });

  it('scalars over the golden event files agrees with their README', async function () {
    const golden = goldenDir();
    if (!golden) return this.skip();
    const { code, out } = await cli('scalars', join(golden, 'tfevents'), '--json');
    assert.equal(code, 0);
    const report = JSON.parse(out) as { files: { path: string; records: number; damage: unknown }[]; series: Record<string, { step: number[] }> };
    const records = Object.fromEntries(report.files.map((f) => [f.path.split('/').pop(), f.records]));
    assert.equal(records['events.out.tfevents.1742826235.DESKTOP-41L2EO3.107869.0'], 1729);
    assert.equal(records['events.out.tfevents.1746384532.V'], 5);
    assert.equal(records['events.out.tfevents.1644728510.huangyuan3hdeMacBook-Pro.local.73068.0.v2'], 582);
    assert.ok(report.files.every((f) => f.damage === null));
    assert.equal(report.series['hf_trainer_t5/runs/Mar24_22-23-40_DESKTOP-41L2EO3/train/loss']!.step.length, 430);
    assert.equal(report.series['keras_tf2/logs/fit/20220213-124139/validation/evaluation_loss_vs_iterations']!.step.length, 20);
    assert.ok(!Object.keys(report.series).some((key) => key.includes('batch_normalization')), 'histograms are not scalars');
  });
});
