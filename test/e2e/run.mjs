#!/usr/bin/env node
// End-to-end tests in a real VS Code (code-server) driven by Debian's Chromium: `npm run test:e2e`.
//
//   ensure code-server → package the VSIX → fresh profile + demo workspaces → install the VSIX
//   → UI scenarios (test/e2e/scenarios/*.mjs, one server, one browser, a fresh window each)
//   → integration tests in the extension host (test/e2e/integration/*.test.ts) → stop the server.
//
// Options: --only a,b (UI scenarios by name)  --no-ui  --no-integration  --no-package (reuse the
// VSIX when present)  --keep (keep the temp folder)  --list
// Screenshots and logs: test-results/e2e/. Exit code 1 when anything failed.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureCodeServer } from '../../scripts/ensure-code-server.mjs';
import { packageVsix, TARGET } from '../../scripts/package.mjs';
import { QUIET_SETTINGS, installVsix, startCodeServer, writeUserSettings } from '../../scripts/lib/code-server.mjs';
import { repoRoot } from '../../scripts/lib/proc.mjs';
import { ConsoleLog, VIEWPORT, launchBrowser } from './lib/browser.mjs';
import { appendDemoEvents, generateDemoWorkspace } from './lib/demo.mjs';
import { bundleIntegrationTests, runIntegrationTests } from './lib/integration.mjs';
import { extensionHostErrors } from './lib/logs.mjs';
import { waitUntil } from './lib/wait.mjs';
import { Workbench } from './lib/workbench.mjs';

const RESULTS = join(repoRoot, 'test-results', 'e2e');
const SCENARIOS = join(repoRoot, 'test', 'e2e', 'scenarios');
const DEFAULT_SCENARIO_TIMEOUT_MS = 90_000;
/** Extension host log lines about our extension contain its folder name or id. */
const EXTENSION_MARK = 'llava-studio';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1]?.split(',').filter(Boolean) : null;

const timings = [];
const failures = [];
const t0 = performance.now();

async function timed(label, fn) {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    const s = (performance.now() - start) / 1000;
    timings.push([label, s]);
    console.log(`e2e: ${label} ${s.toFixed(1)} s`);
  }
}

/** Scenario modules: `export const name`, `export async function run(ctx)`, optional `timeoutMs`. */
async function loadScenarios() {
  const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.mjs')).sort();
  const scenarios = [];
  for (const file of files) {
    const mod = await import(pathToFileURL(join(SCENARIOS, file)).href);
    const scenario = mod.default ?? mod;
    if (typeof scenario.run !== 'function') throw new Error(`${file} exports no run(ctx)`);
    scenarios.push({ name: scenario.name ?? file.replace(/\.mjs$/, ''), timeoutMs: scenario.timeoutMs ?? DEFAULT_SCENARIO_TIMEOUT_MS, run: scenario.run, file });
  }
  if (only) {
    const unknown = only.filter((n) => !scenarios.some((s) => s.name === n));
    if (unknown.length) throw new Error(`no scenario named ${unknown.join(', ')} (have: ${scenarios.map((s) => s.name).join(', ')})`);
    return scenarios.filter((s) => only.includes(s.name));
  }
  return scenarios;
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
    }),
  ]);
}

async function runScenario(scenario, { browser, server, tmp, userDataDir }) {
  const workspace = join(tmp, 'workspaces', scenario.name);
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const consoleLog = new ConsoleLog(page);
  const workbench = new Workbench(page);
  const shots = [];
  const screenshot = async (name = scenario.name, { parkMouse = true } = {}) => {
    await workbench.settle();
    if (parkMouse) await workbench.parkMouse();
    const path = join(RESULTS, `${name}.png`);
    await page.screenshot({ path });
    shots.push(path);
    return path;
  };
  const start = performance.now();
  const errorsBefore = extensionHostErrors(userDataDir, { filter: EXTENSION_MARK }).length;
  try {
    await withTimeout(
      (async () => {
        // A fresh demo per scenario: its own folder (so its own workspace state) and a live run
        // whose newest record was written just now.
        const demo = await generateDemoWorkspace(workspace);
        const ctx = {
          page,
          workbench,
          workspace,
          demo,
          server: { url: server.url, port: server.port },
          screenshot,
          appendDemoEvents,
          waitUntil,
          log: (message) => console.log(`    ${scenario.name}: ${message}`),
          console: consoleLog,
        };
        await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'commit' });
        await workbench.ready();
        await scenario.run(ctx);
      })(),
      scenario.timeoutMs,
      `scenario ${scenario.name}`,
    );
    console.log(`  ✔ ${scenario.name} (${((performance.now() - start) / 1000).toFixed(1)} s) ${shots.map((s) => s.slice(repoRoot.length + 1)).join(' ')}`);
  } catch (error) {
    failures.push(`scenario ${scenario.name}: ${error.message.split('\n')[0]}`);
    console.log(`  ✘ ${scenario.name} (${((performance.now() - start) / 1000).toFixed(1)} s): ${error.stack ?? error.message}`);
    const shot = await page.screenshot({ path: join(RESULTS, `${scenario.name}-failure.png`) }).then(
      () => `test-results/e2e/${scenario.name}-failure.png`,
      (e) => `(no screenshot: ${e.message.split('\n')[0]})`,
    );
    await Promise.race([consoleLog.flushed(), new Promise((r) => setTimeout(r, 2000))]);
    writeFileSync(join(RESULTS, `${scenario.name}.console.log`), consoleLog.text());
    console.log(`    screenshot: ${shot}\n    --- last console lines (all in test-results/e2e/${scenario.name}.console.log) ---`);
    console.log(consoleLog.tail(25).replace(/^/gm, '    '));
    const errors = extensionHostErrors(userDataDir, { filter: EXTENSION_MARK }).slice(errorsBefore);
    if (errors.length) console.log(`    --- extension host errors ---\n${errors.join('\n').replace(/^/gm, '    ')}`);
  } finally {
    await context.close().catch(() => {});
  }
}

async function main() {
  const scenarios = await loadScenarios();
  if (flag('--list')) {
    for (const s of scenarios) console.log(`${s.name}\t${s.file}`);
    return;
  }
  mkdirSync(RESULTS, { recursive: true });
  if (!only) for (const f of readdirSync(RESULTS)) if (/\.(png|log)$/.test(f)) rmSync(join(RESULTS, f));

  const tools = await timed('ensure code-server', () => ensureCodeServer({ log: (m) => console.log(m) }));
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const existingVsix = join(repoRoot, `${manifest.name}-${manifest.version}-${TARGET}.vsix`);
  const vsix = flag('--no-package') && existsSync(existingVsix)
    ? existingVsix
    : (await timed('package VSIX', () => packageVsix({ log: (m) => console.log(m) }))).vsix;

  const tmp = mkdtempSync(join(tmpdir(), 'llava-studio-e2e-'));
  const userDataDir = join(tmp, 'user-data');
  const extensionsDir = join(tmp, 'extensions');
  writeUserSettings(userDataDir, QUIET_SETTINGS);
  const extensionPath = await timed('install VSIX', () => installVsix(tools, vsix, { userDataDir, extensionsDir }));

  let browser;
  let server;
  try {
    browser = await timed('launch Chromium', () => launchBrowser());
    if (!flag('--no-ui') && scenarios.length > 0) {
      server = await timed('start code-server', () => startCodeServer(tools, { userDataDir, extensionsDir, logFile: join(RESULTS, 'code-server.log') }));
      console.log(`e2e: code-server at ${server.url}, ${scenarios.length} scenario(s)`);
      for (const scenario of scenarios) {
        await timed(`scenario ${scenario.name}`, () => runScenario(scenario, { browser, server, tmp, userDataDir }));
      }
      await server.stop();
      server = undefined;
    }
    if (!flag('--no-integration')) {
      const { files } = await timed('bundle integration tests', () => bundleIntegrationTests());
      // The smoke-test driver lets the workbench report the tests' result through codeAutomationExit.
      server = await timed('start code-server (smoke-test driver)', () =>
        startCodeServer(tools, { userDataDir, extensionsDir, logFile: join(RESULTS, 'code-server-integration.log'), extraArgs: ['--vscode-option', 'enable-smoke-test-driver'] }),
      );
      const workspace = join(tmp, 'workspaces', 'integration');
      await generateDemoWorkspace(workspace);
      // By default the development extension is the installed VSIX's folder: the tests see exactly
      // what ships. LLAVA_E2E_EXTENSION_PATH=$PWD runs them against the checkout instead.
      const devPath = process.env.LLAVA_E2E_EXTENSION_PATH || extensionPath;
      console.log(`e2e: integration tests (${files.join(', ')}) in the extension host, extension from ${devPath}`);
      const code = await timed('integration tests', () =>
        runIntegrationTests({ browser, server, extensionPath: devPath, workspace, resultsDir: RESULTS, print: (line) => console.log(`  ${line.replace(/\n/g, '\n  ')}`) }),
      ).catch((error) => {
        failures.push(`integration: ${error.message}`);
        return null;
      });
      if (code !== null && code !== 0) failures.push(`integration tests failed (exit code ${code})`);
    }
    const errors = extensionHostErrors(userDataDir, { filter: EXTENSION_MARK });
    if (errors.length) console.log(`\ne2e: the extension host logged ${errors.length} error(s) about LLaVA Studio (not failing the run):\n${errors.join('\n').replace(/^/gm, '  ')}`);
  } finally {
    await server?.stop();
    await browser?.close().catch(() => {});
    if (flag('--keep')) console.log(`e2e: kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  failures.push(error.message);
  console.error(`e2e: ${error.stack ?? error.message}`);
}
timings.push(['total', (performance.now() - t0) / 1000]);
console.log('\ne2e timings:');
for (const [label, s] of timings) console.log(`  ${label.padEnd(40)} ${s.toFixed(1).padStart(6)} s`);
if (failures.length) {
  console.log(`\ne2e: ${failures.length} failure(s):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(1);
}
console.log('\ne2e: all passed');
process.exit(0);
