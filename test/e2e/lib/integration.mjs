// Integration tests inside the real extension host: test/e2e/integration/*.test.ts are bundled with
// mocha into out/e2e-integration/index.js (exporting run(), like @vscode/test-electron runners) and
// loaded by a development-host window (docs/e2e-notes.md, "Three ways" #3).
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { repoRoot } from '../../../scripts/lib/proc.mjs';
import { ConsoleLog, VIEWPORT } from './browser.mjs';

const SOURCE_DIR = join(repoRoot, 'test', 'e2e', 'integration');
export const BUNDLE = join(repoRoot, 'out', 'e2e-integration', 'index.js');
/** Mocha's reporter output is tagged with this so it can be told apart from workbench logs. */
const MARK = '[e2e] ';

export async function bundleIntegrationTests() {
  const files = readdirSync(SOURCE_DIR).filter((f) => f.endsWith('.test.ts')).sort();
  if (files.length === 0) throw new Error(`no integration tests in ${SOURCE_DIR}`);
  const contents = [
    "import { runSuites } from './runner';",
    'export function run(): Promise<void> {',
    `  return runSuites(${JSON.stringify(MARK)}, () => {`,
    ...files.map((f) => `    require(${JSON.stringify(`./${f}`)});`),
    '  });',
    '}',
  ].join('\n');
  mkdirSync(join(repoRoot, 'out', 'e2e-integration'), { recursive: true });
  await esbuild.build({
    stdin: { contents, resolveDir: SOURCE_DIR, sourcefile: 'index.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    outfile: BUNDLE,
    sourcemap: 'inline',
    logLevel: 'warning',
    // mocha's parallel mode resolves worker files at run time; we never use it.
    logOverride: { 'require-resolve-not-external': 'silent' },
  });
  return { bundle: BUNDLE, files };
}

/**
 * Opens a development-host window that loads `extensionPath` and runs the bundled tests; streams
 * mocha's output to `print`. Resolves with the exit code the workbench reports (0 = all passed).
 */
export async function runIntegrationTests({ browser, server, extensionPath, workspace, resultsDir, timeoutMs = 180_000, print = console.log }) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  const consoleLog = new ConsoleLog(page, {
    onLine: (text) => {
      const at = text.indexOf(MARK);
      if (at >= 0) print(text.slice(at + MARK.length).replace(/\n$/, ''));
    },
  });
  let settle;
  const exited = new Promise((resolve) => {
    settle = resolve;
  });
  await page.exposeFunction('codeAutomationExit', (code) => settle(Number(code)));
  const authority = `127.0.0.1:${server.port}`;
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://${authority}${extensionPath}`],
    ['extensionTestsPath', `vscode-remote://${authority}${BUNDLE.replace(/\.js$/, '')}`],
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ];
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`, { waitUntil: 'commit' });
    const code = await Promise.race([exited, timeout]);
    await consoleLog.flushed();
    if (code === 'timeout' || code !== 0) {
      await page.screenshot({ path: join(resultsDir, 'integration-failure.png') }).catch(() => {});
      print(`--- last console lines of the integration window ---\n${consoleLog.tail(30)}`);
    }
    if (code === 'timeout') throw new Error(`integration tests did not finish within ${timeoutMs / 1000} s`);
    return code;
  } finally {
    clearTimeout(timer);
    writeFileSync(join(resultsDir, 'integration.console.log'), consoleLog.text());
    await context.close();
  }
}
