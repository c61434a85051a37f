// Starting and stopping code-server, installing a VSIX into it, and the quiet profile settings.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { node24Env } from '../ensure-code-server.mjs';
import { killGroup, repoRoot, run, tail, trackGroup } from './proc.mjs';

/** User settings that keep welcome pages, trust prompts, chat and update checks out of the way. */
export const QUIET_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
};

/** A free TCP port on 127.0.0.1 (or `preferred` when it is given). */
export async function freePort(preferred) {
  if (preferred) return Number(preferred);
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Writes `settings` into `<userDataDir>/User/settings.json` (merged over what is there unless `replace`). */
export function writeUserSettings(userDataDir, settings, { replace = true } = {}) {
  const file = join(userDataDir, 'User', 'settings.json');
  mkdirSync(dirname(file), { recursive: true });
  let current = {};
  if (!replace && existsSync(file)) {
    try {
      current = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return file; // the user's own JSONC with comments: leave it alone
    }
  }
  writeFileSync(file, `${JSON.stringify({ ...settings, ...current }, null, 2)}\n`);
  return file;
}

/** Installs a VSIX into an extensions folder, offline; returns the installed extension's folder. */
export async function installVsix(tools, vsix, { userDataDir, extensionsDir, logFile }) {
  await run(tools.node, [tools.codeServer, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--force', '--install-extension', vsix], {
    env: node24Env(tools),
    quiet: !logFile,
    logFile,
  });
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const id = `${manifest.publisher}.${manifest.name}-${manifest.version}`.toLowerCase();
  const folder = readdirSync(extensionsDir).find((name) => name.toLowerCase().startsWith(id));
  if (!folder) throw new Error(`installed ${vsix} but found no ${id}* folder in ${extensionsDir}`);
  return join(extensionsDir, folder);
}

/**
 * Starts code-server detached in its own process group on 127.0.0.1 and waits until it answers.
 * Returns `{ url, port, pid, logFile, stop(), exited }`; `stop()` ends the whole group, `exited`
 * resolves with the exit code or signal when the server ends.
 */
export async function startCodeServer(tools, { port, userDataDir, extensionsDir, folder, logFile, extraArgs = [], readyTimeoutMs = 90_000 }) {
  port = await freePort(port);
  mkdirSync(dirname(logFile), { recursive: true });
  const out = openSync(logFile, 'a');
  const args = [
    tools.codeServer,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    ...extraArgs,
    ...(folder ? [folder] : []),
  ];
  const child = spawn(tools.node, args, { detached: true, stdio: ['ignore', out, out], env: node24Env(tools) });
  closeSync(out);
  const untrack = trackGroup(child.pid);
  let exited = null;
  const exitedPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = signal ?? code;
      resolve(exited);
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await killGroup(child.pid);
    untrack();
  };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited !== null) throw new Error(`code-server exited (${exited}) before it was ready:\n${tail(readFileSync(logFile, 'utf8'), 30)}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within ${readyTimeoutMs / 1000} s:\n${tail(readFileSync(logFile, 'utf8'), 30)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, port, pid: child.pid, logFile, stop, exited: exitedPromise };
}
