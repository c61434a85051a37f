import assert from 'node:assert/strict';
import type { RunScalarsSource, RunScalarsUpdate } from '../../../src/core/runs/types';
import type { ScalarSeries } from '../../../src/core/tfevents/types';
import type { ScalarsHostMessage, ScalarsViewState } from '../../../src/protocol/scalars';
import { ScalarsController, pngBytes, type ScalarsDeps } from '../../../src/ui/scalars/controller';

class FakeSource implements RunScalarsSource {
  readonly updates: (RunScalarsUpdate | Error)[] = [];
  disposed = false;
  constructor(readonly runPath: string) {}
  async update(): Promise<RunScalarsUpdate> {
    const next = this.updates.shift() ?? { kind: 'none' };
    if (next instanceof Error) throw next;
    return next;
  }
  dispose(): void { this.disposed = true; }
}

const series = (step: number[], value: number[]): ScalarSeries => ({ step, wall: step.map((s) => 1_700_000_000 + s), value });
const replace = (run: string, tags: Record<string, ScalarSeries>, extra: Partial<{ texts: { tag: string; step: number; wall: number; text: string }[] }> = {}): RunScalarsUpdate => ({
  kind: 'replace',
  scalars: { run, series: new Map(Object.entries(tags)), texts: extra.texts ?? [], damage: [], origin: 'events' },
});

function setup(runIds = ['/runs/a', '/runs/b'], pollMs = 10_000) {
  const sources = new Map<string, FakeSource>();
  for (const id of runIds) sources.set(id, new FakeSource(id));
  const posted: ScalarsHostMessage[] = [];
  const logs: string[] = [];
  const saved: { name: string; format: string; data: Uint8Array }[] = [];
  let saveAnswer: string | undefined = '/tmp/out.csv';
  const deps: ScalarsDeps = {
    createSource: (id) => sources.get(id)!,
    listRuns: () => runIds.map((path) => ({ path, name: path.split('/').pop()!, status: 'live' as const, eventFiles: ['x'] })),
    settings: () => ({ maxPointsPerLine: 2000, defaultSmoothing: 0.6 }),
    pollIntervalMs: () => pollMs,
    log: (m) => logs.push(m),
  };
  const controller = new ScalarsController(runIds, deps, {
    post: (m) => posted.push(m),
    saveFile: async (name, format, data) => { saved.push({ name, format, data }); return saveAnswer; },
  }, null);
  return { controller, sources, posted, logs, saved, setSaveAnswer: (a: string | undefined) => { saveAnswer = a; } };
}

const ready = { kind: 'notify', type: 'ready', payload: {} };
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('scalars panel: controller', () => {
  const malformed: [string, unknown][] = [
    ['null', null],
    ['a string', 'ready'],
    ['an unknown type', { kind: 'notify', type: 'openFile', payload: {} }],
    ['ready without payload', { kind: 'notify', type: 'ready' }],
    ['ready with extra payload', { kind: 'notify', type: 'ready', payload: { x: 1 } }],
    ['state with smoothing 2', { kind: 'notify', type: 'state', payload: { runIds: [], hiddenRuns: [], smoothing: 2, xAxis: 'step', tagFilter: '', logY: false, ignoreOutliers: false, envelope: false, collapsedGroups: [] } }],
    ['state with an unknown x axis', { kind: 'notify', type: 'state', payload: { runIds: [], hiddenRuns: [], smoothing: 0, xAxis: 'epoch', tagFilter: '', logY: false, ignoreOutliers: false, envelope: false, collapsedGroups: [] } }],
    ['firstPaint with a string', { kind: 'notify', type: 'firstPaint', payload: { ms: '12', points: 3 } }],
    ['export of an unknown format', { kind: 'request', id: 1, method: 'export', params: { format: 'exe', tag: 't' } }],
    ['export with an extra field', { kind: 'request', id: 1, method: 'export', params: { format: 'csv', tag: 't', path: '/etc/passwd' } }],
    ['export with a field named like an inherited property', { kind: 'request', id: 1, method: 'export', params: { format: 'csv', tag: 't', constructor: 'x' } }],
    ['export with a string id', { kind: 'request', id: '1', method: 'export', params: { format: 'csv', tag: 't' } }],
    ['a reply from the webview', { kind: 'reply', id: 1, result: {} }],
  ];
  for (const [name, message] of malformed) {
    it(`rejects and logs ${name}, does not throw, and answers only a well-formed request id`, async () => {
      const { controller, posted, logs } = setup();
      await controller.handleMessage(message);
      const request = (message as { kind?: unknown } | null)?.kind === 'request' && Number.isSafeInteger((message as { id?: unknown }).id);
      if (request) {
        assert.equal(posted.length, 1);
        assert.match(JSON.stringify(posted[0]), /"kind":"reply","id":1,"error":"rejected: invalid message/);
      } else {
        assert.deepEqual(posted, []);
      }
      assert.equal(logs.length, 1);
      assert.match(logs[0]!, /^scalars: ignored invalid message/);
      controller.dispose();
    });
  }

  it('answers ready with init: every run, Float64Array columns, settings and state', async () => {
    const { controller, sources, posted } = setup();
    sources.get('/runs/a')!.updates.push(replace('/runs/a', { 'train/loss': series([1, 2], [0.9, 0.8]) }, { texts: [{ tag: 'args/text_summary', step: 0, wall: 0, text: '{"lr":1}' }] }));
    await controller.handleMessage(ready);
    assert.equal(posted.length, 1);
    const init = posted[0]!;
    assert.ok(init.kind === 'notify' && init.type === 'init');
    assert.deepEqual(init.payload.runs.map((r) => [r.name, r.origin, r.eventFiles, r.texts.length]), [['a', 'events', 1, 1], ['b', 'none', 1, 0]]);
    assert.equal(init.payload.series.length, 1);
    const s = init.payload.series[0]!;
    assert.ok(s.step instanceof Float64Array && s.wall instanceof Float64Array && s.value instanceof Float64Array);
    assert.deepEqual([s.run, s.tag, Array.from(s.value)], ['/runs/a', 'train/loss', [0.9, 0.8]]);
    controller.dispose();
  });

  it('polls: posts append, replaceRun and runs changes', async () => {
    const { controller, sources, posted } = setup(['/runs/a'], 5);
    const source = sources.get('/runs/a')!;
    source.updates.push(replace('/runs/a', { 'train/loss': series([1], [1]) }));
    await controller.handleMessage(ready);
    source.updates.push({ kind: 'append', series: new Map([['train/loss', series([2, 3], [0.5, 0.4])]]), texts: [] });
    await tick(40);
    const append = posted.find((m) => m.kind === 'notify' && m.type === 'append');
    assert.ok(append && append.kind === 'notify' && append.type === 'append');
    assert.deepEqual(Array.from(append.payload.series[0]!.step), [2, 3]);
    source.updates.push(replace('/runs/a', { 'eval/loss': series([10], [2]) }));
    await tick(40);
    const rep = posted.find((m) => m.kind === 'notify' && m.type === 'replaceRun');
    assert.ok(rep && rep.kind === 'notify' && rep.type === 'replaceRun');
    assert.deepEqual(rep.payload.series.map((x) => x.tag), ['eval/loss']);
    controller.dispose();
    assert.ok(source.disposed);
  });

  it('with the default 1000 ms poll, points written after init reach the webview within 2 s', async function () {
    this.timeout(5000);
    const { controller, sources, posted } = setup(['/runs/a'], 1000);
    await controller.handleMessage(ready);
    const written = Date.now();
    sources.get('/runs/a')!.updates.push({ kind: 'append', series: new Map([['train/loss', series([9], [0.3])]]), texts: [] });
    while (!posted.some((m) => m.kind === 'notify' && m.type === 'append') && Date.now() - written < 3000) await tick(20);
    const latency = Date.now() - written;
    assert.ok(latency < 2000, `append after ${latency} ms`);
    controller.dispose();
  });

  it('poke reads at once instead of waiting for the next poll', async () => {
    const { controller, sources, posted } = setup(['/runs/a'], 60_000);
    await controller.handleMessage(ready);
    sources.get('/runs/a')!.updates.push({ kind: 'append', series: new Map([['train/loss', series([5], [0.1])]]), texts: [] });
    controller.poke('/runs/a');
    await tick(20);
    assert.ok(posted.some((m) => m.kind === 'notify' && m.type === 'append'));
    controller.dispose();
  });

  it('a failing source becomes a run error, not a crash', async () => {
    const { controller, sources, posted, logs } = setup(['/runs/a']);
    sources.get('/runs/a')!.updates.push(new Error('EACCES: permission denied'));
    await controller.handleMessage(ready);
    const init = posted[0]!;
    assert.ok(init.kind === 'notify' && init.type === 'init');
    assert.equal(init.payload.runs[0]!.error, 'EACCES: permission denied');
    assert.match(logs.join('\n'), /reading \/runs\/a failed: EACCES/);
    controller.dispose();
  });

  it('keeps the state the webview reports and sends it back in the next init', async () => {
    const { controller, posted } = setup(['/runs/a']);
    const state: ScalarsViewState = { runIds: ['/runs/a'], hiddenRuns: [], smoothing: 0.9, xAxis: 'wall', tagFilter: 'loss', logY: true, ignoreOutliers: false, envelope: true, collapsedGroups: ['eval'] };
    await controller.handleMessage({ kind: 'notify', type: 'state', payload: state });
    controller.setVisible(false);
    await controller.handleMessage(ready);
    const init = posted[0]!;
    assert.ok(init.kind === 'notify' && init.type === 'init');
    assert.deepEqual(init.payload.state, state);
    controller.dispose();
  });

  it('exports CSV of every run of a tag and replies with the saved path', async () => {
    const { controller, sources, posted, saved } = setup();
    sources.get('/runs/a')!.updates.push(replace('/runs/a', { 'train/loss': series([1], [0.5]) }));
    sources.get('/runs/b')!.updates.push(replace('/runs/b', { 'train/loss': series([2], [0.25]) }));
    await controller.handleMessage(ready);
    await controller.handleMessage({ kind: 'request', id: 7, method: 'export', params: { format: 'csv', tag: 'train/loss' } });
    assert.equal(saved[0]!.name, 'train_loss.csv');
    assert.equal(new TextDecoder().decode(saved[0]!.data), 'run,tag,step,wall_time,value\na,train/loss,1,1700000001,0.5\nb,train/loss,2,1700000002,0.25\n');
    assert.deepEqual(posted.at(-1), { kind: 'reply', id: 7, result: { path: '/tmp/out.csv' } });
    controller.dispose();
  });

  it('replies cancelled when the Save dialog is dismissed, and an error for a tag with no points', async () => {
    const { controller, posted, setSaveAnswer, sources } = setup(['/runs/a']);
    sources.get('/runs/a')!.updates.push(replace('/runs/a', { t: series([1], [1]) }));
    await controller.handleMessage(ready);
    setSaveAnswer(undefined);
    await controller.handleMessage({ kind: 'request', id: 1, method: 'export', params: { format: 'json', tag: 't' } });
    assert.deepEqual(posted.at(-1), { kind: 'reply', id: 1, result: { cancelled: true } });
    await controller.handleMessage({ kind: 'request', id: 2, method: 'export', params: { format: 'csv', tag: 'nope' } });
    assert.deepEqual(posted.at(-1), { kind: 'reply', id: 2, error: 'no points for tag "nope"' });
    controller.dispose();
  });

  it('refuses a PNG export that is not a PNG', async () => {
    const { controller, posted } = setup(['/runs/a']);
    await controller.handleMessage({ kind: 'request', id: 3, method: 'export', params: { format: 'png', tag: 't', dataUrl: 'data:text/html;base64,PHNjcmlwdD4=' } });
    assert.deepEqual(posted.at(-1), { kind: 'reply', id: 3, error: 'png export needs a data:image/png;base64,… data URL' });
    assert.throws(() => pngBytes('data:image/png;base64,aGVsbG8gd29ybGQ='), /not a PNG/);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]);
    assert.equal(pngBytes(`data:image/png;base64,${png.toString('base64')}`).length, 9);
    controller.dispose();
  });
});
