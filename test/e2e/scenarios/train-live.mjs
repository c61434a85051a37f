// Launch → live → stop, through the real UI path: the form's Start button, the supervisor (detached
// worker, events.jsonl, run.json), the progress notification, the status bar, the Runs view, the
// Scalars panel updating live, then Stop from the Runs view (SIGTERM → checkpoint → stopped).
//
// FAKE here: llavaStudio.python points at test/fixtures/fake-python/python, which reports a made-up
// environment with a stand-in GPU and trains with the training core's fake worker (no torch, no model
// math; loss = 2/step), writing the files the real worker writes. Everything on the extension side is real.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { boxText, choose, FAKE_PYTHON, fill, openFineTune, prepareTrainWorkspace } from './train-form.mjs';

export const name = 'train-live';
export const timeoutMs = 240_000;

const MAX_STEPS = 400;

export async function run({ page, workbench, workspace, screenshot, waitUntil, log }) {
  const { model, dataset } = prepareTrainWorkspace(workspace, { 'llavaStudio.python': FAKE_PYTHON, 'llavaStudio.training.stopGraceSeconds': 60 });
  const form = await openFineTune(workbench);
  await fill(form, 'model', model);
  await fill(form, 'datasetPath', dataset);
  await choose(form, 'stepsMode', 'Train for a number of steps');
  await fill(form, 'maxSteps', String(MAX_STEPS));
  await fill(form, 'loggingSteps', '2');
  await fill(form, 'saveSteps', '20');
  await waitUntil('the stand-in environment to be ready', async () => /Ready to train with this interpreter/.test(await boxText(form, 'Environment')), { timeoutMs: 45_000 });
  await waitUntil('the dataset check', async () => /All 8 rows are usable/.test(await boxText(form, 'Dataset check')), { timeoutMs: 30_000 });
  await waitUntil('an estimate that fits', async () => /: fits/.test(await boxText(form, 'GPU memory')), { timeoutMs: 30_000 });
  await form.locator('vscode-button', { hasText: 'Start Fine-tune' }).click();
  await waitUntil('the form to say it launched', async () => /Training in /.test(await boxText(form, 'Launch')), { timeoutMs: 30_000 });
  const runDir = /Training in (\S+)/.exec(await boxText(form, 'Launch'))[1];
  const runName = runDir.split('/').pop();
  log(`launched ${runDir}`);

  // Live: the status bar counts steps; clicking it opens the run's Scalars.
  const status = page.locator('.part.statusbar .statusbar-item', { hasText: new RegExp(`${runName} \\d+/${MAX_STEPS} · loss`) }).first();
  await status.waitFor({ timeout: 60_000 });
  await workbench.waitForNotification(`Fine-tune ${runName}`, { timeoutMs: 30_000 });
  await status.click();
  const scalars = await workbench.webview('Scalars', { selector: 'article.card[aria-label^="chart train/loss"]', timeoutMs: 45_000 });
  const points = scalars.locator('article.card:has(.card-title[title="train/loss"]) .card-footer .points');
  const count = async () => Number(/(\d[\d,]*) points/.exec(await points.innerText())?.[1]?.replace(/,/g, '') ?? NaN);
  const first = await waitUntil('train/loss points', async () => (await count()) >= 3 && (await count()), { timeoutMs: 30_000 });
  await waitUntil('new points to arrive without a reload', async () => (await count()) >= first + 4, { timeoutMs: 30_000 });
  await workbench.openContainer('LLaVA Studio');
  await workbench.waitForTreeRow('Runs', new RegExp(`${runName}$`), { timeoutMs: 30_000 });
  log(`status bar: ${await status.innerText()}`);
  // The progress notification hides into the status bar after a while; its status-bar entry brings it back.
  if (!(await workbench.toasts()).some((t) => t.startsWith(`Fine-tune ${runName}`))) {
    await page.locator('.part.statusbar .statusbar-item', { hasText: `Fine-tune ${runName}:` }).first().click();
  }
  await page.locator('.notification-list-item', { hasText: `Fine-tune ${runName}` }).first().waitFor({ timeout: 10_000 });
  await screenshot('train-live');
  await page.keyboard.press('Escape');

  // Stop from the Runs view: SIGTERM → the worker checkpoints → stopped.
  await workbench.treeContextMenu('Runs', new RegExp(`${runName}$`), 'Stop Training');
  const notice = await workbench.waitForNotification(/stopped at step \d+; checkpoint-\d+ saved/, { timeoutMs: 60_000 });
  log(notice);
  const row = await workbench.waitForTreeRow('Runs', new RegExp(`${runName}$`));
  await page.waitForFunction((el) => /stopped/i.test(el.textContent ?? ''), await row.elementHandle(), { timeout: 30_000 });
  const record = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
  assert.equal(record.status, 'stopped');
  const stoppedAt = Number(/stopped at step (\d+)/.exec(notice)[1]);
  assert.ok(existsSync(join(runDir, `checkpoint-${stoppedAt}`)), `checkpoint-${stoppedAt} written at the stop (${readdirSync(runDir).join(', ')})`);
  assert.ok(stoppedAt < MAX_STEPS, 'stopped before the end');
  await workbench.expandTreeRow('Runs', new RegExp(`${runName}$`));
  await workbench.waitForTreeRow('Runs', `checkpoint-${stoppedAt}`);
  await page.locator('.part.statusbar .statusbar-item', { hasText: runName }).waitFor({ state: 'hidden', timeout: 10_000 });
  await waitUntil('the "Stopping" progress to close', async () => !(await workbench.toasts()).some((t) => t.startsWith('Stopping')), { timeoutMs: 15_000 });
  await screenshot('train-stopped');

  // Resume from the Runs view: the same folder, from the latest checkpoint, a second attempt.
  await workbench.treeContextMenu('Runs', new RegExp(`${runName}$`), 'Resume Training…');
  const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Latest checkpoint' }).first();
  await pick.waitFor({ timeout: 20_000 });
  await pick.click();
  const resumed = page.locator('.part.statusbar .statusbar-item', { hasText: new RegExp(`${runName} \\d+/${MAX_STEPS}`) }).first();
  await resumed.waitFor({ timeout: 60_000 });
  await waitUntil('steps after the checkpoint', async () => Number(new RegExp(`${runName} (\\d+)/`).exec(await resumed.innerText())?.[1]) > stoppedAt, { timeoutMs: 30_000 });
  const second = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
  assert.deepEqual([second.attempt, second.resumedFrom, second.status], [2, 'latest', 'running']);
  await workbench.treeContextMenu('Runs', new RegExp(`${runName}$`), 'Stop Training');
  log(await workbench.waitForNotification(new RegExp(`stopped at step (?!${stoppedAt}\\b)\\d+`), { timeoutMs: 60_000 }));
}
