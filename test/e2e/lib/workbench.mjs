// Helpers for driving the VS Code workbench in code-server. Every wait polls a selector with a
// timeout; nothing sleeps blindly. Selectors are the ones that worked in docs/e2e-notes.md.

const cssString = (text) => JSON.stringify(String(text));

export class Workbench {
  /** @param {import('playwright-core').Page} page */
  constructor(page, { timeoutMs = 20_000 } = {}) {
    this.page = page;
    this.timeoutMs = timeoutMs;
  }

  /** Resolves when the workbench's parts are on screen. */
  async ready() {
    await this.page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
    await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: this.timeoutMs });
  }

  /** An activity-bar icon, by its container title ("LLaVA Studio"; "Explorer" matches "Explorer (Ctrl+Shift+E)"). */
  activityIcon(title) {
    return this.page.locator(`.activitybar a.action-label[aria-label^=${cssString(title)}]`).first();
  }

  /**
   * Waits for the extension's activity-bar icon: once it is there the extension's contributions are
   * registered, so the command palette will list its commands.
   */
  async waitForContainer(title = 'LLaVA Studio') {
    await this.activityIcon(title).waitFor({ timeout: 30_000 });
  }

  /** Opens a view container of the activity bar (LLaVA Studio by default); no-op when already open. */
  async openContainer(title = 'LLaVA Studio') {
    await this.waitForContainer(title);
    const item = this.page.locator('.activitybar .action-item', { has: this.page.locator(`a.action-label[aria-label^=${cssString(title)}]`) }).first();
    const checked = await item.evaluate((el) => el.classList.contains('checked'));
    if (!checked) await this.activityIcon(title).click();
    // A single-view container hides its pane header; its title reads "LLaVA Studio: Runs".
    await this.page
      .locator('.part.sidebar .composite.title .title-label')
      .filter({ hasText: title })
      .waitFor({ timeout: this.timeoutMs });
  }

  /** Drags the side bar's edge so the side bar is `width` pixels wide (tree descriptions stop being cut). */
  async setSidebarWidth(width) {
    const sidebar = this.page.locator('.part.sidebar');
    await sidebar.waitFor({ timeout: this.timeoutMs });
    const sash = await this.page.evaluate(() => {
      const box = document.querySelector('.part.sidebar').getBoundingClientRect();
      const candidates = [...document.querySelectorAll('.monaco-sash.vertical')].map((el) => el.getBoundingClientRect()).filter((r) => r.height > box.height / 2);
      const best = candidates.sort((a, b) => Math.abs(a.left + a.width / 2 - box.right) - Math.abs(b.left + b.width / 2 - box.right))[0];
      return best && Math.abs(best.left + best.width / 2 - box.right) < 12 ? { x: best.left + best.width / 2, y: best.top + best.height / 2, right: box.right, left: box.left } : null;
    });
    if (!sash) throw new Error('found no sash at the side bar edge');
    await this.page.mouse.move(sash.x, sash.y);
    await this.page.mouse.down();
    await this.page.mouse.move(sash.x + (sash.left + width - sash.right), sash.y, { steps: 8 });
    await this.page.mouse.up();
    await this.page.waitForFunction((w) => Math.abs(document.querySelector('.part.sidebar').getBoundingClientRect().width - w) < 24, width, { timeout: this.timeoutMs });
  }

  /** Runs a command from the palette by its title ("Open Scalars" or "LLaVA Studio: Open Scalars"). */
  async runCommand(title) {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await this.page.keyboard.press('F1');
    await input.waitFor({ timeout: this.timeoutMs });
    await input.fill(`>${title}`);
    const row = this.page
      .locator('.quick-input-list .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`(^|: )${escapeRegExp(title)}$`) }) })
      .first();
    try {
      await row.waitFor({ timeout: this.timeoutMs });
    } catch (error) {
      const shown = await this.page.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts();
      await this.page.keyboard.press('Escape');
      throw new Error(`command "${title}" is not in the palette (it shows: ${JSON.stringify(shown.slice(0, 8))}): ${error.message.split('\n')[0]}`);
    }
    await row.click();
    // The palette closes, or a command that asks for something reuses the same widget at once for
    // its own quick pick / input box: either way the palette's ">" query is gone.
    await this.page.waitForFunction(() => {
      const box = document.querySelector('.quick-input-widget .quick-input-box input');
      return !box || box.offsetParent === null || !box.value.startsWith('>');
    }, undefined, { timeout: this.timeoutMs });
  }

  /** The pane of a view in the side bar, by its name ("Runs"). */
  view(name) {
    return this.page.locator(`.part.sidebar .pane:has(> .pane-header[aria-label^=${cssString(`${name} Section`)}])`);
  }

  /** Tree rows of a view, by their label (exact string or RegExp over the label text). */
  treeRow(viewName, label) {
    // `has` locators are relative to the row, so this one starts at the page.
    const name = this.page.locator('.label-name', { hasText: label instanceof RegExp ? label : exactText(label) });
    return this.view(viewName).locator('.monaco-list-row', { has: name }).first();
  }

  /** Waits until a view shows a row with this label; returns the row's locator. */
  async waitForTreeRow(viewName, label, { timeoutMs = this.timeoutMs } = {}) {
    const row = this.treeRow(viewName, label);
    try {
      await row.waitFor({ timeout: timeoutMs });
    } catch (error) {
      const rows = await this.treeRows(viewName).catch(() => []);
      throw new Error(`view "${viewName}" has no row ${label} (rows: ${JSON.stringify(rows.map((r) => r.label))}): ${error.message.split('\n')[0]}`);
    }
    return row;
  }

  /** What a view's tree shows now: label, description, depth, expanded state, tooltip (aria-label). */
  async treeRows(viewName) {
    await this.view(viewName).waitFor({ timeout: this.timeoutMs });
    return this.view(viewName)
      .locator('.monaco-list-row')
      .evaluateAll((rows) =>
        rows
          .map((row) => ({
            label: row.querySelector('.label-name')?.textContent?.trim() ?? '',
            description: row.querySelector('.label-description')?.textContent?.trim() ?? '',
            level: Number(row.getAttribute('aria-level') ?? 1),
            expanded: row.hasAttribute('aria-expanded') ? row.getAttribute('aria-expanded') === 'true' : null,
            selected: row.getAttribute('aria-selected') === 'true',
            ariaLabel: row.getAttribute('aria-label') ?? '',
            top: parseFloat(row.style.top || '0'),
          }))
          .sort((a, b) => a.top - b.top)
          .map(({ top, ...rest }) => rest),
      );
  }

  /** Expands a collapsed tree row (via its twistie) and waits for it to say so. */
  async expandTreeRow(viewName, label) {
    const row = await this.waitForTreeRow(viewName, label);
    if ((await row.getAttribute('aria-expanded')) === 'true') return row;
    await row.locator('.monaco-tl-twistie').click();
    await this.page.waitForFunction((el) => el.getAttribute('aria-expanded') === 'true', await row.elementHandle(), { timeout: this.timeoutMs });
    return row;
  }

  /** Selects tree rows: the first with a click, the rest with Ctrl+click (multi-select). */
  async selectTreeRows(viewName, labels) {
    for (const [i, label] of labels.entries()) {
      const row = await this.waitForTreeRow(viewName, label);
      await row.click({ modifiers: i === 0 ? [] : ['Control'] });
    }
  }

  /** Right-clicks a target and picks a context-menu entry by its text. */
  async contextMenu(target, item) {
    await target.click({ button: 'right' });
    const entry = this.page.locator('.context-view .monaco-menu .action-item', { hasText: item }).first();
    try {
      await entry.waitFor({ timeout: this.timeoutMs });
    } catch (error) {
      const shown = await this.page.locator('.context-view .monaco-menu .action-item .action-label').allInnerTexts();
      await this.page.keyboard.press('Escape');
      throw new Error(`context menu has no "${item}" (it shows: ${JSON.stringify(shown.filter(Boolean))}): ${error.message.split('\n')[0]}`);
    }
    // Menu entries start listening for mouse-up only 100 ms after they render (VS Code's
    // runOnceToEnableMouseUp), so a prompt click can be lost. Hovering focuses the entry and Enter
    // runs the focused entry, with no such window.
    await entry.hover();
    await this.page.locator('.context-view .monaco-menu .action-item.focused', { hasText: item }).first().waitFor({ timeout: this.timeoutMs });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.context-view .monaco-menu').waitFor({ state: 'hidden', timeout: this.timeoutMs });
  }

  /** Right-clicks a row of a view's tree and picks a menu entry. */
  async treeContextMenu(viewName, label, item) {
    await this.contextMenu(await this.waitForTreeRow(viewName, label), item);
  }

  /** Right-clicks an Explorer row (file or folder name) and picks a menu entry. */
  async explorerContextMenu(name, item) {
    await this.openContainer('Explorer');
    const row = this.page.locator(`.explorer-folders-view .monaco-list-row[aria-label=${cssString(name)}]`);
    await row.waitFor({ timeout: this.timeoutMs });
    await this.contextMenu(row, item);
  }

  /** The editor tab whose title starts with `title`. */
  tab(title) {
    return this.page.locator(`.tabs-container .tab[aria-label^=${cssString(title)}]`).first();
  }

  async tabTitles() {
    return this.page.locator('.tabs-container .tab .label-name').allInnerTexts();
  }

  /**
   * The content frame of the webview whose editor tab title starts with `title`, once `selector`
   * is inside it. Webviews are nested iframes (outer `iframe.webview`, inner `#active-frame`) laid
   * over the editor group; the one over the tab's group is the one we want.
   * @returns {Promise<import('playwright-core').FrameLocator>}
   */
  async webview(title, { selector = 'body', timeoutMs = 30_000 } = {}) {
    const tab = this.tab(title);
    await tab.waitFor({ timeout: timeoutMs });
    if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
    const deadline = Date.now() + timeoutMs;
    let lastError = 'no visible webview iframe';
    while (Date.now() < deadline) {
      const index = await this.page.evaluate((tabTitle) => {
        const tabs = [...document.querySelectorAll('.tabs-container .tab')];
        const group = tabs.find((t) => t.getAttribute('aria-label')?.startsWith(tabTitle))?.closest('.editor-group-container');
        if (!group) return -1;
        const box = group.getBoundingClientRect();
        const frames = [...document.querySelectorAll('iframe.webview.ready')];
        return frames.findIndex((f) => {
          const r = f.getBoundingClientRect();
          const cx = r.left + r.width / 2;
          const cy = r.top + r.height / 2;
          return r.width > 0 && getComputedStyle(f.parentElement ?? f).visibility !== 'hidden' && cx >= box.left && cx <= box.right && cy >= box.top && cy <= box.bottom;
        });
      }, title);
      if (index >= 0) {
        const frame = this.page.frameLocator('iframe.webview.ready').nth(index).frameLocator('#active-frame');
        try {
          await frame.locator(selector).first().waitFor({ timeout: Math.min(5000, Math.max(1, deadline - Date.now())) });
          return frame;
        } catch (error) {
          lastError = error.message.split('\n')[0];
        }
      } else {
        await this.page.waitForTimeout(100); // polling interval while the webview loads
      }
    }
    throw new Error(`webview "${title}" did not show ${selector} within ${timeoutMs} ms (${lastError})`);
  }

  /** Texts of the notification toasts on screen now. */
  async toasts() {
    return this.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
  }

  /** Waits for a notification (a toast, or one already in the Notification Center) whose text matches. */
  async waitForNotification(text, { timeoutMs = this.timeoutMs } = {}) {
    const matches = (t) => (text instanceof RegExp ? text.test(t) : t.includes(text));
    const deadline = Date.now() + timeoutMs;
    for (let poll = 0; ; poll++) {
      const toasts = await this.toasts();
      const hit = toasts.find(matches);
      if (hit) return hit;
      // Toasts hide after a while (and never show under the smoke-test driver): look in the center too, less often.
      const center = poll % 8 === 7 || Date.now() > deadline ? await this.notificationCenter() : [];
      const inCenter = center.find(matches);
      if (inCenter) return inCenter;
      if (Date.now() > deadline) throw new Error(`no notification matching ${text} (toasts: ${JSON.stringify(toasts)}, center: ${JSON.stringify(center)})`);
      await this.page.waitForTimeout(250); // polling interval
    }
  }

  /**
   * Every notification in the Notification Center (the smoke-test driver never shows toasts, so
   * this is where integration-mode notifications are). Opens and closes the center.
   */
  async notificationCenter() {
    // The center's element only exists once it has been opened: ask the DOM, don't wait for it.
    const wasOpen = await this.page.evaluate(() => document.querySelector('.notifications-center')?.classList.contains('visible') ?? false);
    if (!wasOpen) await this.page.locator('[id="status.notifications"] a, [id="status.notifications"] .statusbar-item-label').first().click();
    await this.page.locator('.notifications-center.visible').waitFor({ timeout: this.timeoutMs });
    const messages = await this.page.locator('.notifications-center .notification-list-item-message').allInnerTexts();
    if (!wasOpen) await this.page.locator('[id="status.notifications"] a, [id="status.notifications"] .statusbar-item-label').first().click();
    return messages;
  }

  /**
   * Best effort before a screenshot: waits (up to `timeoutMs`) until no progress bar runs in the
   * side bar, panel or editors. Never throws: a live view may legitimately keep one running.
   */
  async settle({ timeoutMs = 5000 } = {}) {
    await this.page
      .waitForFunction(
        () => !document.querySelector('.part.sidebar .monaco-progress-container.active, .part.panel .monaco-progress-container.active, .part.editor .monaco-progress-container.active'),
        null,
        { timeout: timeoutMs, polling: 100 },
      )
      .catch(() => {});
  }

  /** Moves the mouse to an empty spot so no hover or tooltip lingers in a screenshot. */
  async parkMouse() {
    const size = this.page.viewportSize() ?? { width: 1440, height: 900 };
    await this.page.mouse.move(size.width - 2, Math.round(size.height / 2));
  }
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function exactText(text) {
  return new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`);
}
