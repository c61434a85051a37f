/** Work that must wait for workspace trust (reattaching runs: it reads run.json and runs squeue/scontrol). No vscode here. */

export interface TrustSource {
  readonly isTrusted: boolean;
  onDidGrantWorkspaceTrust(listener: () => void): { dispose(): void };
}

/** Runs `work` once: now when the workspace is trusted, else when trust is granted. Dispose to give up waiting. */
export function onceTrusted(trust: TrustSource, work: () => void): { dispose(): void } {
  if (trust.isTrusted) {
    work();
    return { dispose: () => undefined };
  }
  let done = false;
  const subscription = trust.onDidGrantWorkspaceTrust(() => {
    if (done) return;
    done = true;
    subscription.dispose();
    work();
  });
  return subscription;
}
