import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { extension } from './helpers';

// The VSIX must carry every runtime dependency (a --no-dependencies package fails later with
// "Cannot find module 'sharp'"): load each one from the installed extension's own folder, in the
// real extension host, the way the extension's bundle would.
describe('packaged dependencies', () => {
  const ext = extension();
  const dependencies = Object.keys((ext.packageJSON as { dependencies?: Record<string, string> }).dependencies ?? {});
  const fromExtension = createRequire(join(ext.extensionPath, 'package.json'));

  for (const name of dependencies) {
    it(`loads ${name} from the extension's node_modules`, async function () {
      this.timeout(60_000);
      const resolved = fromExtension.resolve(name);
      assert.ok(resolved.startsWith(join(ext.extensionPath, 'node_modules') + sep), `${name} resolved outside the extension: ${resolved}`);
      const loaded: unknown = await import(pathToFileURL(resolved).href);
      assert.ok(loaded && typeof loaded === 'object', `${name} loaded as ${typeof loaded}`);
    });
  }
});
