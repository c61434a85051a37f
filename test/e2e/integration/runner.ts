// Runs the bundled integration suites inside the extension host, the way @vscode/test-electron
// runners do: the workbench calls the bundle's `run()` and waits for its promise.
import { format } from 'node:util';
import Mocha from 'mocha';

/**
 * `load` requires the test modules once mocha's globals (describe, it, ...) exist. Reporter lines
 * go to the console prefixed with `mark`, so the harness can pick them out of the page console.
 */
export function runSuites(mark: string, load: () => void): Promise<void> {
  const grep = process.env.LLAVA_E2E_GREP;
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 30_000, ...(grep ? { grep } : {}) });
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(mark + format(...args));
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  load();
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}
