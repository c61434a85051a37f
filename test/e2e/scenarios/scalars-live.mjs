// A live run's Scalars panel picks up records appended to its event file, without a reload.
export const name = 'scalars-live';

const APPENDED = 20;

export async function run({ workbench, screenshot, demo, appendDemoEvents, waitUntil, log }) {
  await workbench.openContainer('LLaVA Studio');
  await workbench.treeContextMenu('Runs', /llava-qlora-r64$/, 'Open Scalars');
  const scalars = await workbench.webview('Scalars', { selector: 'article.card[aria-label="chart train/loss, 1 run"]' });
  const points = scalars.locator('article.card:has(.card-title[title="train/loss"]) .card-footer .points');
  await points.filter({ hasText: /\d/ }).waitFor();
  // "106 points", or "showing 100 of 106 points" when downsampled: the total is before "points".
  const count = async () => Number(/(\d[\d,]*) points/.exec(await points.innerText())?.[1]?.replace(/,/g, '') ?? NaN);
  const before = await count();
  const next = await appendDemoEvents(demo.live.eventFile, demo.live.nextStep, APPENDED, demo.live.run);
  log(`train/loss had ${before} points; appended steps ${demo.live.nextStep}..${next - 10}`);
  await waitUntil(`train/loss to show ${before + APPENDED} points`, async () => (await count()) === before + APPENDED);
  await screenshot('scalars-live');
}
