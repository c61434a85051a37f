import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, extension, waitFor } from './helpers';

describe('activation', () => {
  it('activates on its own in a workspace with training runs', async () => {
    const ext = await waitFor(`${EXTENSION_ID} to be installed`, () => vscode.extensions.getExtension(EXTENSION_ID));
    await waitFor('activation by workspaceContains:**/trainer_state.json', () => ext.isActive);
  });

  it('registers every command that package.json contributes', async () => {
    const ext = extension();
    await ext.activate();
    const manifest = ext.packageJSON as { contributes: { commands: { command: string }[] } };
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });
});
