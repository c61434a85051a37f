// The extension host's own log (code-server writes it under the user-data folder): where an
// activation failure or an uncaught error in the extension shows up.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** `[error]` lines (with their stack lines) of every remoteexthost.log, optionally only those mentioning `filter`. */
export function extensionHostErrors(userDataDir, { filter } = {}) {
  const logs = join(userDataDir, 'logs');
  if (!existsSync(logs)) return [];
  const errors = [];
  for (const session of readdirSync(logs).sort()) {
    const dir = join(logs, session);
    let hosts = [];
    try {
      hosts = readdirSync(dir).filter((d) => d.startsWith('exthost'));
    } catch {
      continue;
    }
    for (const host of hosts) {
      const file = join(dir, host, 'remoteexthost.log');
      if (!existsSync(file)) continue;
      let current = null;
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (/^\d{4}-\d\d-\d\d /.test(line)) {
          if (current) errors.push(current);
          current = line.includes('[error]') ? line : null;
        } else if (current && line.trim()) {
          current += `\n${line}`;
        }
      }
      if (current) errors.push(current);
    }
  }
  return filter ? errors.filter((e) => e.includes(filter)) : errors;
}
