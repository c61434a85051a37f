// Right-click the demo LLaVA JSON in the Explorer → "Preview Dataset": the panel shows thumbnails
// (made by sharp in the extension host, sent as data: URLs) beside the conversations as chat turns.
// Then: a save_to_disk DatasetDict folder has the menu too (split picker), and "Open With… → Dataset
// Preview" opens a .jsonl as a custom editor. The helpers here are shared by the other dataset-* scenarios.
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
export const name = 'dataset-preview';
export const timeoutMs = 120_000;

/** Expands Explorer folders down to `file` and picks `item` from its context menu. */
export async function datasetInExplorer(workbench, folders, file, item = 'Preview Dataset') {
  await workbench.openContainer('Explorer');
  for (const folder of folders) {
    const row = workbench.page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${folder}"]`);
    await row.waitFor({ timeout: 20_000 });
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    await workbench.page.waitForFunction((el) => el.getAttribute('aria-expanded') === 'true', await row.elementHandle(), { timeout: 10_000 });
  }
  await workbench.explorerContextMenu(file, item);
}

/** The Dataset Preview webview once its first rows and their thumbnails are drawn. */
export async function datasetPanel(workbench, title) {
  const panel = await workbench.webview(title, { selector: 'body[data-ready="true"]', timeoutMs: 60_000 });
  await panel.locator('article.row:not(.placeholder)').first().waitFor({ timeout: 30_000 });
  await panel.locator('.validation-progress[hidden]').waitFor({ state: 'attached', timeout: 60_000 });
  return panel;
}

export async function thumbnailsDrawn(panel, waitUntil, atLeast = 1) {
  await waitUntil('thumbnails to be drawn', async () =>
    (await panel.locator('.thumb.loading').count()) === 0 && (await panel.locator('.thumb img[src^="data:image/"]').count()) >= atLeast);
}

export async function run({ workbench, workspace, screenshot, waitUntil, log }) {
  await datasetInExplorer(workbench, ['datasets', 'demo-llava'], 'llava_demo.json');
  const panel = await datasetPanel(workbench, 'Dataset: llava_demo.json');
  await thumbnailsDrawn(panel, waitUntil, 3);
  const stats = await panel.locator('.stats').innerText();
  log(stats);
  if (!/^8 rows · 8 images · 16 turns/.test(stats)) throw new Error(`header: ${stats}`);
  const roles = await panel.locator('article.row').first().locator('.turn .role').allInnerTexts();
  if (roles.map((r) => r.toLowerCase()).join(',') !== 'user,assistant') throw new Error(`roles: ${roles}`);
  await screenshot('dataset-preview');

  // A DatasetDict folder (written by apache-arrow's IPC writer, PNG bytes inside) gets the menu once found.
  const { writeMixDatasetDict } = await tsImport('../../fixtures/datasets/arrowFixture.ts', import.meta.url);
  await writeMixDatasetDict(join(workspace, 'datasets', 'mix-dict'), { train: 4, test: 2 });
  const folder = workbench.page.locator('.explorer-folders-view .monaco-list-row[aria-label="mix-dict"]');
  await folder.waitFor({ timeout: 20_000 });
  const menu = workbench.page.locator('.context-view .monaco-menu');
  await waitUntil('the folder menu to offer Preview Dataset', async () => {
    await folder.click({ button: 'right' });
    await menu.waitFor({ timeout: 5000 });
    const offered = await menu.locator('.action-item', { hasText: 'Preview Dataset' }).count();
    await workbench.page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden', timeout: 5000 });
    return offered > 0;
  });
  await workbench.explorerContextMenu('mix-dict', 'Preview Dataset');
  const dict = await datasetPanel(workbench, 'Dataset: mix-dict');
  await thumbnailsDrawn(dict, waitUntil, 2);
  const splits = await dict.locator('.split-select option').allInnerTexts();
  if (splits.join(',') !== 'train,test') throw new Error(`splits: ${splits}`);
  log(`mix-dict: ${await dict.locator('.stats').innerText()}`);

  // Open With… → Dataset Preview (priority "option": never the default editor).
  await datasetInExplorer(workbench, ['demo-problems'], 'train.jsonl', 'Open With');
  const choice = workbench.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Dataset Preview' }).first();
  await choice.waitFor({ timeout: 20_000 });
  await choice.click();
  const editor = await datasetPanel(workbench, 'train.jsonl');
  log(`custom editor: ${await editor.locator('.stats').innerText()}`);
}
