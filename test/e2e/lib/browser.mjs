// Debian's Chromium driven by playwright-core, and a console recorder for workbench pages.
import { existsSync } from 'node:fs';
import { format } from 'node:util';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.LLAVA_E2E_CHROMIUM || '/usr/bin/chromium';

/** Without the networking flags Chromium floods the closed network (FACTS.md §2). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export const VIEWPORT = { width: 1440, height: 900 };

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (never npx playwright install)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/**
 * The page's console as text lines. The workbench logs `'%c INFO', 'color: …', fmt, ...args`;
 * this strips the styling and applies the printf-style format, as DevTools would.
 */
export class ConsoleLog {
  lines = [];
  #pending = Promise.resolve();

  /** `onLine(text, type)` sees each formatted message, in order. */
  constructor(page, { limit = 5000, onLine } = {}) {
    page.on('console', (message) => {
      this.#pending = this.#pending.then(async () => {
        const text = await formatConsoleMessage(message);
        this.lines.push(`[${message.type()}] ${text}`);
        if (this.lines.length > limit) this.lines.splice(0, this.lines.length - limit);
        onLine?.(text, message.type());
      });
    });
    page.on('pageerror', (error) => this.lines.push(`[pageerror] ${error.stack ?? error.message}`));
  }

  /** Resolves once every message seen so far has been formatted. */
  flushed() {
    return this.#pending;
  }

  tail(count = 40) {
    return this.lines.slice(-count).join('\n');
  }

  text() {
    return `${this.lines.join('\n')}\n`;
  }
}

async function formatConsoleMessage(message) {
  let args;
  try {
    args = await Promise.all(message.args().map((arg) => arg.jsonValue()));
  } catch {
    return message.text(); // the page navigated away; the raw text is all there is
  }
  if (args.length === 0) return message.text();
  let level = '';
  if (typeof args[0] === 'string' && args[0].startsWith('%c')) {
    level = `${args[0].slice(2).trim()} `;
    args = args.slice(2);
  }
  return level + format(...args);
}
