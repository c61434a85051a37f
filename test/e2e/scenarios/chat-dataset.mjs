// "Add to dataset": the answer, edited, is appended to a messages-JSONL file picked from the
// workspace; the image (outside the dataset folder) is copied next to it under a content-hash name.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ask, askLlavaInExplorer, chatPanel, DEMO_IMAGES, useTinyModel } from './chat-answer.mjs';

export const name = 'chat-dataset';
export const timeoutMs = 150_000;

export async function run({ workbench, workspace, screenshot, waitUntil, log }) {
  useTinyModel(workspace);
  const dataset = join(workspace, 'datasets', 'chat-samples', 'train.jsonl');
  mkdirSync(join(workspace, 'datasets', 'chat-samples'), { recursive: true });
  const existing = '{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]},{"role":"assistant","content":[{"type":"text","text":"hello"}]}],"images":[]}';
  writeFileSync(dataset, existing); // no final newline: the append must repair it, not glue lines together
  await askLlavaInExplorer(workbench, DEMO_IMAGES, 'blue.png');
  const chat = await chatPanel(workbench, 'Ask LLaVA: blue.png');
  await ask(chat, 'What colour is this image?');
  await chat.locator('.answer[data-status="done"] .answer-text', { hasText: 'the image is blue' }).waitFor({ timeout: 60_000 });
  await chat.locator('.answer [aria-label="Add to dataset…"]').click();
  await chat.locator('.dataset-answer').fill('The image is a solid blue square.');
  await chat.locator('.dataset-dialog .text-button.primary').click();
  const pick = workbench.page.locator('.quick-input-list .monaco-list-row', { hasText: 'chat-samples/train.jsonl' }).first();
  await pick.waitFor({ timeout: 20_000 });
  await pick.click();
  await chat.locator('.notice', { hasText: 'Added to' }).waitFor({ timeout: 20_000 });
  log(await chat.locator('.notice').innerText());
  await waitUntil('the record to be appended', () => readFileSync(dataset, 'utf8').split('\n').length === 3);
  const lines = readFileSync(dataset, 'utf8').split('\n');
  assert.equal(lines[0], existing);
  assert.equal(lines[2], '');
  const record = JSON.parse(lines[1]);
  assert.equal(record.messages[1].content[0].text, 'The image is a solid blue square.');
  assert.match(record.images[0], /^images\/blue-[0-9a-f]{12}\.png$/);
  assert.ok(existsSync(join(workspace, 'datasets', 'chat-samples', record.images[0])));
  await screenshot('chat-dataset');
}
