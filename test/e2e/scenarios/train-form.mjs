// The Fine-tune form in a real VS Code: a preset, the environment probe of the REAL interpreter
// /usr/bin/python3 (no torch here, so the worker's own "torch is not installed" line and the pip
// install fix), the dataset check of the demo LLaVA dataset, and the VRAM estimate of a 7B LLaVA read
// from a config.json-only model folder. Nothing is faked in this scenario.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../scripts/lib/proc.mjs';

export const name = 'train-form';
export const timeoutMs = 120_000;

export const MODEL_FIXTURE = join(repoRoot, 'test/fixtures/train-harness/llava-1.5-7b-config');
export const FAKE_PYTHON = join(repoRoot, 'test/fixtures/fake-python/python');

/** Workspace settings for the scenario (the interpreter), and a local model folder with only config.json. */
export function prepareTrainWorkspace(workspace, settings) {
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(join(workspace, '.vscode', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  const model = join(workspace, 'models', 'llava-1.5-7b-hf');
  cpSync(MODEL_FIXTURE, model, { recursive: true });
  return { model, dataset: join(workspace, 'datasets', 'demo-llava', 'llava_demo.json') };
}

/** Opens the form from the palette; returns its frame once the form is drawn. */
export async function openFineTune(workbench) {
  await workbench.openContainer('LLaVA Studio');
  await workbench.runCommand('Start LoRA Fine-tune');
  return workbench.webview('Fine-tune', { selector: '.columns', timeoutMs: 45_000 });
}

/** Types into a form field as a person would. */
export async function fill(frame, field, value) {
  const input = frame.locator(`vscode-textfield[data-field="${field}"] input`);
  await input.fill(value);
}

/** Picks an option of a form select by its label, with the keyboard as a person can. */
export async function choose(frame, field, label) {
  const select = frame.locator(`vscode-single-select[data-field="${field}"]`);
  const labels = (await select.locator('vscode-option').allInnerTexts()).map((t) => t.trim());
  const to = labels.indexOf(label);
  if (to < 0) throw new Error(`${field} has no option "${label}" (it has ${JSON.stringify(labels)})`);
  const selected = () => select.evaluate((el) => el.selectedIndex);
  // The dropdown renders a frame after Enter: arrows pressed before it is open are lost, so wait for
  // it (and try again when a slow first render still lost the keys).
  for (let attempt = 1; ; attempt++) {
    const from = await selected();
    if (from === to) return;
    await select.focus();
    await select.press('Enter');
    await select.evaluate((el) => new Promise((resolve) => {
      const deadline = Date.now() + 2000;
      const check = () => (el.open || Date.now() > deadline ? resolve() : requestAnimationFrame(check));
      check();
    }));
    for (let i = 0; i < Math.abs(to - from); i++) await select.press(to > from ? 'ArrowDown' : 'ArrowUp');
    await select.press('Enter');
    const now = await selected();
    if (now === to) return;
    if (attempt === 3) throw new Error(`${field}: chose "${label}" but the select shows option ${now}`);
    if (await select.evaluate((el) => el.open)) await select.press('Escape');
  }
}

export const boxText = (frame, label) => frame.locator(`[aria-label="${label}"]`).innerText();

export async function run({ workbench, workspace, screenshot, waitUntil, log }) {
  const { model, dataset } = prepareTrainWorkspace(workspace, { 'llavaStudio.python': '/usr/bin/python3' });
  const form = await openFineTune(workbench);
  await fill(form, 'model', model);
  await fill(form, 'datasetPath', dataset);
  // The window may open (and probe python3 from PATH) before it reads the settings file written
  // above; the form re-probes when llavaStudio.python changes, so wait for that answer.
  await waitUntil('the probe of /usr/bin/python3', async () => {
    const text = await boxText(form, 'Environment');
    return /Training would stop at once/.test(text) && /from setting llavaStudio\.python/.test(text);
  }, { timeoutMs: 45_000 });
  await waitUntil('the dataset check', async () => /All 8 rows are usable/.test(await boxText(form, 'Dataset check')), { timeoutMs: 30_000 });
  await waitUntil('the VRAM estimate', async () => /per GPU against/.test(await boxText(form, 'GPU memory')), { timeoutMs: 30_000 });
  const probe = await boxText(form, 'Environment');
  assert.match(probe, /torch is not installed in \/usr\/bin\/python3: pip install -r \S*native-bin\/requirements\.txt/);
  assert.match(probe, /from setting llavaStudio\.python/);
  assert.equal(await form.locator('vscode-single-select.preset').evaluate((el) => el.value), 'llava-lora');
  log(`estimate: ${(await boxText(form, 'GPU memory')).split('\n')[1]}`);
  await workbench.runCommand('View: Close Primary Side Bar'); // the form and its checks side by side, full width
  await screenshot('train-form');
}
