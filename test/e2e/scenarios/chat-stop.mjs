// Stop mid-answer: "Ignore end of sequence" with 8000 new tokens makes the tiny model write for
// many seconds; Stop ends it at once and the answer keeps what was written, marked "stopped".
import { ask, askLlavaInExplorer, chatPanel, DEMO_IMAGES, useTinyModel } from './chat-answer.mjs';

export const name = 'chat-stop';
export const timeoutMs = 150_000;

export async function run({ workbench, workspace, screenshot, log }) {
  useTinyModel(workspace);
  await askLlavaInExplorer(workbench, DEMO_IMAGES, 'red.png');
  const chat = await chatPanel(workbench, 'Ask LLaVA: red.png');
  await chat.locator('.settings-toggle').click();
  await chat.locator('.max-tokens').fill('8000');
  await chat.locator('.max-tokens').press('Tab');
  await chat.locator('.ignore-eos').check();
  await ask(chat, 'What colour is this image?');
  await chat.locator('.answer[data-status="streaming"]').waitFor({ timeout: 60_000 });
  await chat.locator('.text-button.stop').click();
  const stopped = chat.locator('.answer[data-status="stopped"]');
  await stopped.waitFor({ timeout: 5000 });
  await stopped.locator('.answer-footer', { hasText: 'tokens' }).waitFor({ timeout: 20_000 });
  log(await stopped.locator('.answer-footer').innerText());
  await screenshot('chat-stop');
}
