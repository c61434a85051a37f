// Base model vs a fine-tuned checkpoint, side by side: "Chat with this Checkpoint" on a run's
// checkpoint that holds an ONNX export (a copy of the tiny model here), then "Ask LLaVA" on a red
// image sends it to that chat, Compare adds the base model as column B.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { ask, askLlavaInExplorer, chatPanel, DEMO_IMAGES, TINY_MODEL, useTinyModel } from './chat-answer.mjs';

export const name = 'chat-compare';
export const timeoutMs = 180_000;

export async function run({ workbench, workspace, screenshot, log }) {
  useTinyModel(workspace);
  cpSync(TINY_MODEL, join(workspace, 'runs', 'tiny-llava-ft', 'checkpoint-100'), { recursive: true });
  await workbench.openContainer('LLaVA Studio');
  await workbench.runCommand('LLaVA Studio: Refresh Runs');
  await workbench.waitForTreeRow('Runs', /tiny-llava-ft$/, { timeoutMs: 30_000 });
  await workbench.expandTreeRow('Runs', /tiny-llava-ft$/);
  await workbench.waitForTreeRow('Runs', 'checkpoint-100');
  await workbench.treeContextMenu('Runs', 'checkpoint-100', 'Chat with this Checkpoint');
  await chatPanel(workbench);
  await askLlavaInExplorer(workbench, DEMO_IMAGES, 'red.png');
  const chat = await chatPanel(workbench);
  await chat.locator('.hero-image img').waitFor({ timeout: 20_000 });
  await chat.locator('.compare-toggle').click();
  const options = await chat.locator('select.target-a option').allTextContents();
  log(`models: ${options.join(' | ')}`);
  await chat.locator('select.target-b').selectOption({ label: options.find((o) => o.startsWith('tiny-llava/model')) });
  await ask(chat, 'What colour is this image?');
  for (const slot of [0, 1]) {
    await chat.locator(`.answer[data-slot="${slot}"][data-status="done"] .answer-text`, { hasText: 'the image is red' }).waitFor({ timeout: 90_000 });
  }
  await screenshot('chat-compare');
}
