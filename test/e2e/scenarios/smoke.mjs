// The VSIX installs and activates: its activity-bar container opens, its commands run from the
// palette, and the Runs view renders (rows, or its welcome text).
export const name = 'smoke';

export async function run({ workbench, screenshot }) {
  await workbench.openContainer('LLaVA Studio');
  await workbench.runCommand('LLaVA Studio: Refresh Runs');
  await workbench.view('Runs').locator('.monaco-list-row, .welcome-view-content').first().waitFor();
  await screenshot('smoke');
}
