import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { hasProc, isAlive, isSameProcess, processStartTime, signalTree } from '../../../src/core/training/processInfo';
import { newRunRecord, readRunRecord, writeRunRecord } from '../../../src/core/training/runRecord';
import { Supervisor } from '../../../src/core/training/supervisor';
import { fakeRunRequest } from '../../fixtures/fake-worker/request';
import { makeTree } from '../helpers/tempTree';

describe('process identity', () => {
  const tree = makeTree({ 'run/train.log': 'step 1\nstep 2\nTraceback: boom\n' });
  after(() => tree.remove());

  it('a live pid is ours only with the recorded start time (or, without /proc, a command line naming the run)', function () {
    if (!hasProc()) this.skip();
    const start = processStartTime(process.pid);
    assert.match(start ?? '', /^\d+$/);
    assert.equal(isSameProcess({ pid: process.pid, pidStartTime: start, runDir: '/nowhere' }), true);
    assert.equal(isSameProcess({ pid: process.pid, pidStartTime: '1', runDir: '/nowhere' }), false, 'same pid, another process');
    assert.equal(isSameProcess({ pid: process.pid, pidStartTime: null, runDir: 'mocha' }), true, 'no recorded start: the command line decides');
    assert.equal(isAlive(2 ** 22 + 12345), false);
  });

  it('stop signals: SIGTERM to the leader alone; SIGKILL to its group, then to every descendant', async function () {
    if (!hasProc()) this.skip();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const sent: [number, NodeJS.Signals | 0][] = [];
      const record = (pid: number, signal: NodeJS.Signals | 0): void => { sent.push([pid, signal]); };
      signalTree(process.pid, 'SIGTERM', record);
      assert.deepEqual(sent, [[process.pid, 'SIGTERM']], 'not the group: DataLoader workers there die on a SIGTERM not from their parent');
      sent.length = 0;
      signalTree(process.pid, 'SIGKILL', record);
      assert.deepEqual(sent[0], [-process.pid, 'SIGKILL']);
      assert.ok(sent.some(([pid, signal]) => pid === child.pid && signal === 'SIGKILL'), 'a descendant, wherever its group');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('reattach to a run whose pid now belongs to someone else: crashed, with the end of train.log', async () => {
    const runDir = join(tree.root, 'run');
    const { config, plan } = fakeRunRequest(runDir);
    const record = newRunRecord({ name: 'run', config, plan, host: (await import('node:os')).hostname(), now: new Date(), gpus: [] });
    await writeRunRecord(join(runDir, 'run.json'), { ...record, pid: process.pid, pidStartTime: '1' });
    const supervisor = new Supervisor(runDir, { pollMs: 50 });
    assert.equal(await supervisor.reattach(), 'ended');
    const after = await readRunRecord(join(runDir, 'run.json'));
    assert.equal(after.status, 'crashed');
    assert.deepEqual(after.error!.logTail, ['step 1', 'step 2', 'Traceback: boom']);
    supervisor.dispose();
  });
});
