// The Runs view lists both demo runs with their status, and a run expands to its checkpoints
// with the best one marked.
import assert from 'node:assert/strict';

export const name = 'runs-tree';

export async function run({ workbench, screenshot, log }) {
  await workbench.openContainer('LLaVA Studio');
  await workbench.setSidebarWidth(620);
  const finished = await workbench.waitForTreeRow('Runs', /llava-lora-r128$/, { timeoutMs: 30_000 });
  const live = await workbench.waitForTreeRow('Runs', /llava-qlora-r64$/);
  await workbench.page.waitForFunction(
    ([a, b]) => /finished/i.test(a.textContent ?? '') && /live/i.test(b.textContent ?? ''),
    [await finished.elementHandle(), await live.elementHandle()],
    { timeout: 20_000 },
  );
  await workbench.expandTreeRow('Runs', /llava-lora-r128$/);
  const best = await workbench.waitForTreeRow('Runs', 'checkpoint-1000');
  await workbench.page.waitForFunction((row) => /best/i.test(row.textContent ?? ''), await best.elementHandle(), { timeout: 10_000 });
  const rows = await workbench.treeRows('Runs');
  log(rows.map((r) => `${'  '.repeat(r.level - 1)}${r.label} — ${r.description}`).join('\n      '));
  for (const step of [500, 1000, 1500]) assert.ok(rows.some((r) => r.label === `checkpoint-${step}`), `checkpoint-${step} is listed`);
  await screenshot('runs-tree');
}
