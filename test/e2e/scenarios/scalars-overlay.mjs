// Two runs selected in the Runs view and compared: one Scalars panel overlays both runs' curves.
export const name = 'scalars-overlay';

export async function run({ workbench, screenshot }) {
  await workbench.openContainer('LLaVA Studio');
  await workbench.selectTreeRows('Runs', [/llava-lora-r128$/, /llava-qlora-r64$/]);
  await workbench.treeContextMenu('Runs', /llava-qlora-r64$/, 'Compare Selected Runs');
  const scalars = await workbench.webview('Scalars', { selector: 'article.card[aria-label="chart train/loss, 2 runs"]' });
  await screenshot('scalars-overlay');
  // Cards draw when scrolled into view; the eval group sits below the train group.
  await scalars.locator('article.card:has(.card-title[title="eval/loss"])').scrollIntoViewIfNeeded();
  await scalars.locator('article.card[aria-label="chart eval/loss, 2 runs"]').waitFor();
}
