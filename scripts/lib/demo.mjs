// scripts/demo-workspace.ts, loaded through tsx for .mjs callers (npm start, the e2e harness).
import { tsImport } from 'tsx/esm/api';

let loaded;

/** The module scripts/demo-workspace.ts: generateDemoWorkspace, appendDemoEvents, DEMO_RUNS, ... */
export async function demoModule() {
  loaded ??= tsImport('../demo-workspace.ts', import.meta.url);
  return loaded;
}

/** Writes a fresh demo workspace into `dir` (absent or empty); returns its layout (DemoWorkspace). */
export async function generateDemoWorkspace(dir) {
  return (await demoModule()).generateDemoWorkspace(dir);
}

/** Appends `count` logged steps to a demo run's event file from `fromStep`; returns the next step. */
export async function appendDemoEvents(file, fromStep, count, runName) {
  return (await demoModule()).appendDemoEvents(file, fromStep, count, runName);
}
