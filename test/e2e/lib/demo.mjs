// The demo workspace for scenarios: see scripts/demo-workspace.ts.
export { appendDemoEvents, demoModule, generateDemoWorkspace } from '../../../scripts/lib/demo.mjs';
