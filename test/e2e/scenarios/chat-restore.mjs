// A chat survives a window reload: the panel comes back (WebviewPanelSerializer) with its
// conversation, read from the workspace's storage, and can go on answering.
import { ask, askLlavaInExplorer, chatPanel, DEMO_IMAGES, useTinyModel } from './chat-answer.mjs';

export const name = 'chat-restore';
export const timeoutMs = 180_000;

export async function run({ workbench, workspace, screenshot }) {
  useTinyModel(workspace);
  await askLlavaInExplorer(workbench, DEMO_IMAGES, 'green.png');
  let chat = await chatPanel(workbench, 'Ask LLaVA: green.png');
  await ask(chat, 'What colour is this image?');
  await chat.locator('.answer[data-status="done"] .answer-text', { hasText: 'the image is green' }).waitFor({ timeout: 60_000 });
  await chat.locator('.prompt-input').fill('a draft kept in the webview state');
  await workbench.runCommand('Developer: Reload Window');
  await workbench.ready();
  chat = await chatPanel(workbench, 'Ask LLaVA: green.png');
  await chat.locator('.answer[data-status="done"] .answer-text', { hasText: 'the image is green' }).waitFor({ timeout: 30_000 });
  await chat.locator('.turn .thumb img').waitFor();
  const draft = await chat.locator('.prompt-input').inputValue();
  if (draft !== 'a draft kept in the webview state') throw new Error(`draft not restored: ${JSON.stringify(draft)}`);
  await ask(chat, 'And now?');
  await chat.locator('article.turn:nth-of-type(2) .answer[data-status="done"]').waitFor({ timeout: 60_000 });
  await screenshot('chat-restore');
}
