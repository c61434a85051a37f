// "Preview Dataset" from the palette on the demo problem dataset (messages JSONL): a row holding
// `<img onerror>` and `<script>` shows them as text and runs nothing; "Only rows with problems" keeps
// the 3 bad rows beside the token-length histogram; a row's line link opens the JSONL at that line;
// "Validate Dataset" puts the problems in the Problems panel.
import { datasetPanel, thumbnailsDrawn } from './dataset-preview.mjs';

export const name = 'dataset-problems';
export const timeoutMs = 150_000;

export async function run({ workbench, screenshot, waitUntil, log }) {
  const page = workbench.page;
  await workbench.openContainer('LLaVA Studio'); // the palette lists the extension's commands once it has loaded
  await workbench.runCommand('LLaVA Studio: Preview Dataset');
  const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'train.jsonl' }).first();
  await pick.waitFor({ timeout: 20_000 });
  await pick.click();
  const panel = await datasetPanel(workbench, 'Dataset: train.jsonl');

  // Hostile text: shown literally, nothing ran in the webview's frame.
  const hostile = panel.locator('article.row[data-row="3"] .turn.role-user .turn-text');
  await hostile.waitFor();
  const text = await hostile.innerText();
  if (!text.includes('<img src=x onerror="window.__xss=1">') || !text.includes('<script>window.__xss=1</script>')) throw new Error(`hostile text not shown literally: ${text}`);
  const xss = await panel.locator('body').evaluate(() => window.__xss);
  if (xss !== undefined) throw new Error(`a script from the dataset ran: window.__xss = ${xss}`);
  if (await panel.locator('article.row[data-row="3"] .turn-text img, article.row[data-row="3"] script').count()) throw new Error('an element was made from dataset text');
  log('hostile row: text shown, window.__xss undefined');

  await panel.locator('.problems-only').check();
  await waitUntil('the problems-only view', async () => /^3 rows with problems$/.test((await panel.locator('.match-status').innerText()).trim()));
  await thumbnailsDrawn(panel, waitUntil, 2);
  log(await panel.locator('.issues-box').innerText());
  await screenshot('dataset-problems');

  // The missing-image row's line link opens train.jsonl with line 2 selected.
  await panel.locator('article.row[data-row="1"] .line-link').click();
  await workbench.tab('train.jsonl').waitFor({ timeout: 20_000 });
  await waitUntil('the cursor on line 2', async () => /Ln 2, Col 1/.test(await page.locator('.statusbar-item[id="status.editor.selection"]').innerText().catch(() => '')));

  // Validate Dataset on the open file: the notification, and entries in the Problems panel.
  await workbench.runCommand('LLaVA Studio: Validate Dataset');
  const note = await workbench.waitForNotification(/train\.jsonl: 5 rows, 3 problems in 3 rows/, { timeoutMs: 60_000 });
  log(note);
  await page.keyboard.press('Control+Shift+M');
  const problems = page.locator('.markers-panel .monaco-list-row');
  await waitUntil('3 entries in the Problems panel', async () => (await problems.count()) >= 4); // the file row + 3 problems
  log((await problems.allInnerTexts()).join(' | '));
}
