#!/usr/bin/env node
// `npm start`: LLaVA Studio in a real VS Code (code-server) on the demo workspace, in your browser.
//
//   build + package the VSIX → ensure code-server → .demo-workspace/ (generated if absent) → install
//   the VSIX into a persistent dev profile → code-server on 127.0.0.1 → Ctrl-C stops it.
//
// Options: --fresh-demo (regenerate .demo-workspace/)  --live (fresh demo, then keep appending
// records to the live run every few seconds).  LLAVA_STUDIO_PORT picks the port (default: a free one).
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, ensureCodeServer } from './ensure-code-server.mjs';
import { packageVsix } from './package.mjs';
import { QUIET_SETTINGS, installVsix, startCodeServer, writeUserSettings } from './lib/code-server.mjs';
import { appendDemoEvents, generateDemoWorkspace } from './lib/demo.mjs';
import { repoRoot, seconds } from './lib/proc.mjs';

const argv = process.argv.slice(2);
const live = argv.includes('--live');
const demoDir = join(repoRoot, '.demo-workspace');
const profile = join(cacheRoot(), 'dev-profile');
const userDataDir = join(profile, 'user-data');
const extensionsDir = join(profile, 'extensions');

async function main() {
  const started = performance.now();
  const { vsix } = await packageVsix();
  const tools = await ensureCodeServer({ log: (m) => console.log(m) });

  if (live || argv.includes('--fresh-demo')) rmSync(demoDir, { recursive: true, force: true });
  const demo = existsSync(demoDir) ? null : await generateDemoWorkspace(demoDir);
  if (demo) console.log(`start: generated the demo workspace in ${demoDir}`);

  writeUserSettings(userDataDir, QUIET_SETTINGS, { replace: false });
  await installVsix(tools, vsix, { userDataDir, extensionsDir });
  const server = await startCodeServer(tools, {
    port: process.env.LLAVA_STUDIO_PORT,
    userDataDir,
    extensionsDir,
    logFile: join(profile, 'code-server.log'),
  });
  const url = `${server.url}/?folder=${encodeURIComponent(demoDir).replace(/%2F/g, "/")}`;
  const line = `  LLaVA Studio is running:  ${url}  `;
  console.log(`\n${'═'.repeat(line.length)}\n${line}\n${'═'.repeat(line.length)}`);
  console.log(`ready in ${seconds(started)} s · profile ${profile} · log ${server.logFile}\nCtrl-C stops the server.\n`);

  const appender = live && demo ? startLiveAppender(demo.live) : undefined;

  let stopping = false;
  const stop = async (why) => {
    if (stopping) return;
    stopping = true;
    clearInterval(appender);
    console.log(`\nstopping code-server (${why})`);
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('Ctrl-C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const code = await server.exited;
  if (stopping) return; // stop() exits once the whole group is gone
  clearInterval(appender);
  console.error(`code-server exited (${code}); see ${server.logFile}`);
  process.exit(1);
}

/** Keeps the demo's live run live: a new logged step every 3 s, like a slow training job. */
function startLiveAppender({ run, eventFile, nextStep }) {
  let step = nextStep;
  console.log(`start: appending a step to ${run} every 3 s (--live)`);
  return setInterval(() => {
    appendDemoEvents(eventFile, step, 1, run).then(
      (next) => {
        step = next;
      },
      (error) => console.error(`start: could not append to ${eventFile}: ${error.message}`),
    );
  }, 3000);
}

main().catch((error) => {
  console.error(`start: ${error.stack ?? error.message}`);
  process.exit(1);
});
