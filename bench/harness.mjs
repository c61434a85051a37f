// Runs one benchmark module's `run()` and prints its metrics as the last stdout line (JSON).
import { pathToFileURL } from 'node:url';

const mod = await import(pathToFileURL(process.argv[2]).href);
const run = mod.run ?? mod.default?.run;
if (typeof run !== 'function') throw new Error(`${process.argv[2]} exports no run()`);
const metrics = await run();
process.stdout.write('\n' + JSON.stringify(metrics) + '\n');
