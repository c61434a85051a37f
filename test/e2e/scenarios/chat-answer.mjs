// Right-click a red image in the Explorer → "Ask LLaVA": the tiny fixture model (the workspace's
// llavaStudio.chat.onnxModel) streams "the image is red" into the chat panel. The helpers here are
// shared by the other chat-* scenarios.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const name = 'chat-answer';
export const timeoutMs = 150_000;

/** The ~110 KB LLaVA-shaped ONNX model whose greedy answer names the image's dominant colour. */
export const TINY_MODEL = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/tiny-llava/model');
export const DEMO_IMAGES = ['datasets', 'demo-llava', 'images'];

/** Points Ask LLaVA at the tiny model through the workspace settings (the extension reads them live). */
export function useTinyModel(workspace) {
  const file = join(workspace, '.vscode', 'settings.json');
  mkdirSync(dirname(file), { recursive: true });
  const current = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  writeFileSync(file, `${JSON.stringify({ ...current, 'llavaStudio.chat.onnxModel': TINY_MODEL }, null, 2)}\n`);
}

/** Expands Explorer folders down to `file` and picks "Ask LLaVA" from its context menu. */
export async function askLlavaInExplorer(workbench, folders, file) {
  await workbench.openContainer('Explorer');
  for (const folder of folders) {
    const row = workbench.page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${folder}"]`);
    await row.waitFor({ timeout: 20_000 });
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    await workbench.page.waitForFunction((el) => el.getAttribute('aria-expanded') === 'true', await row.elementHandle(), { timeout: 10_000 });
  }
  await workbench.explorerContextMenu(file, 'Ask LLaVA');
}

/** The chat webview, once it has drawn and lists the tiny model. */
export async function chatPanel(workbench, title = 'Ask LLaVA') {
  const chat = await workbench.webview(title, { selector: 'body[data-ready="true"]', timeoutMs: 60_000 });
  await chat.locator('select.target-a option', { hasText: 'tiny-llava/model' }).first().waitFor({ state: 'attached', timeout: 30_000 });
  return chat;
}

export async function ask(chat, prompt) {
  const input = chat.locator('.prompt-input');
  await input.fill(prompt);
  await input.press('Enter');
}

export async function run({ workbench, workspace, screenshot, log }) {
  useTinyModel(workspace);
  await askLlavaInExplorer(workbench, DEMO_IMAGES, 'red.png');
  const chat = await chatPanel(workbench, 'Ask LLaVA: red.png');
  await chat.locator('.hero-image img').waitFor();
  await ask(chat, 'What colour is this image?');
  await chat.locator('.answer[data-status="done"] .answer-text', { hasText: 'the image is red' }).waitFor({ timeout: 60_000 });
  log(await chat.locator('.answer-footer').first().innerText());
  await screenshot('chat-answer');
}
