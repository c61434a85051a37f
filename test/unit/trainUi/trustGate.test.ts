import assert from 'node:assert/strict';
import { onceTrusted, type TrustSource } from '../../../src/ui/training/trustGate';

/** A workspace whose trust can be granted, as vscode.workspace reports it. */
function workspace(trusted: boolean): TrustSource & { grant(): void; listeners: number } {
  const listeners = new Set<() => void>();
  return {
    isTrusted: trusted,
    onDidGrantWorkspaceTrust(listener) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    grant() {
      this.isTrusted = true;
      for (const listener of [...listeners]) listener();
    },
    get listeners() { return listeners.size; },
  } as TrustSource & { grant(): void; listeners: number; isTrusted: boolean };
}

describe('work that waits for workspace trust (reattaching runs)', () => {
  it('a trusted workspace: at once', () => {
    let runs = 0;
    onceTrusted(workspace(true), () => { runs++; });
    assert.equal(runs, 1);
  });

  it('an untrusted workspace: nothing until trust is granted, then exactly once', () => {
    let runs = 0;
    const ws = workspace(false);
    onceTrusted(ws, () => { runs++; });
    assert.equal(runs, 0, 'no squeue, no run.json rewrite in an untrusted workspace');
    ws.grant();
    ws.grant();
    assert.equal(runs, 1);
    assert.equal(ws.listeners, 0, 'it stops listening');
  });

  it('disposed before trust comes: never', () => {
    let runs = 0;
    const ws = workspace(false);
    onceTrusted(ws, () => { runs++; }).dispose();
    ws.grant();
    assert.equal(runs, 0);
  });
});
