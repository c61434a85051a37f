import assert from 'node:assert/strict';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { LlavaStudioApi } from '../../../src/extension';
import { extension, waitFor, workspaceRoot } from './helpers';

/** The extension's exported API (its own RunIndex and tree, not copies bundled into this test). */
async function api(): Promise<LlavaStudioApi> {
  const exported = (await extension().activate()) as LlavaStudioApi;
  await exported.ready;
  return exported;
}

interface Labeled { treeItem(): vscode.TreeItem }
const label = (node: Labeled): string => String(node.treeItem().label);

function scalarsTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('llavaStudio.scalars'));
}

describe('runs view', () => {
  it('lists the demo runs with their checkpoints, best checkpoint and scalar tags', async () => {
    const { runsTree } = await api();
    const runs = runsTree.getChildren() as unknown as Labeled[];
    assert.deepEqual(runs.map(label), ['runs/llava-lora-r128', 'runs/llava-qlora-r64']);
    const lora = runs[0]!;
    assert.match(String(lora.treeItem().description), /^finished · step 1500 · best eval 0\.\d{4}/);
    const children = runsTree.getChildren(lora as never) as unknown as Labeled[];
    assert.deepEqual(children.map(label), ['checkpoint-500', 'checkpoint-1000', 'checkpoint-1500', 'Scalars']);
    assert.equal(children[1]!.treeItem().contextValue, 'checkpoint.adapter.best');
    const tags = runsTree.getChildren(children[3] as never) as unknown as Labeled[];
    assert.ok(tags.map(label).includes('train/loss') && tags.map(label).includes('eval/loss'), tags.map(label).join(', '));
    const live = runs[1]!.treeItem();
    assert.equal(live.contextValue, 'run.live');
  });

  it('Copy Path puts the run folder on the clipboard', async () => {
    const { runIndex } = await api();
    const run = runIndex.summaries()[0]!;
    await vscode.commands.executeCommand('llavaStudio.copyPath', run.path);
    assert.equal(await vscode.env.clipboard.readText(), run.path);
  });

  it('Open Scalars opens one Scalars panel per run set, and re-opening reveals it', async () => {
    const { runIndex } = await api();
    const run = runIndex.summaries()[0]!;
    await vscode.commands.executeCommand('llavaStudio.openScalars', run.path);
    const tab = await waitFor('a Scalars tab', () => scalarsTabs()[0]);
    assert.equal(tab.label, `Scalars: ${run.name}`);
    await vscode.commands.executeCommand('llavaStudio.openScalars', run.path);
    assert.equal(scalarsTabs().length, 1);
    await vscode.commands.executeCommand('llavaStudio.compareRuns', undefined, runIndex.summaries().map((r) => r.path));
    await waitFor('a second Scalars tab for the comparison', () => scalarsTabs().find((t) => t.label === 'Scalars: 2 runs'));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a run folder created in the workspace appears, and disappears when deleted', async () => {
    const { runIndex, runsTree } = await api();
    const folder = join(workspaceRoot().fsPath, 'new-run');
    let fired = 0;
    const listener = runsTree.onDidChangeTreeData(() => { fired++; });
    try {
      await mkdir(join(folder, 'checkpoint-7'), { recursive: true });
      await writeFile(join(folder, 'trainer_state.json'), JSON.stringify({ global_step: 7, max_steps: 7, log_history: [{ step: 7, loss: 1.25 }] }));
      const added = await waitFor('new-run in the index', () => runIndex.get(folder));
      assert.equal(added.lastStep, 7);
      assert.equal(added.status, 'finished');
      assert.ok(fired > 0, 'the tree was told about the change');
      await rm(folder, { recursive: true, force: true });
      await waitFor('new-run gone from the index', () => !runIndex.get(folder));
    } finally {
      listener.dispose();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('a finished run moved in whole (one event for the folder, none for its files) appears', async () => {
    const { runIndex } = await api();
    const outside = join(dirname(workspaceRoot().fsPath), 'moved-run-staging');
    const folder = join(workspaceRoot().fsPath, 'moved-run');
    try {
      await mkdir(join(outside, 'checkpoint-3'), { recursive: true });
      await writeFile(join(outside, 'trainer_state.json'), JSON.stringify({ global_step: 3, max_steps: 3, log_history: [{ step: 3, loss: 0.5 }] }));
      await rename(outside, folder);
      const added = await waitFor('moved-run in the index', () => runIndex.get(folder));
      assert.equal(added.lastStep, 3);
    } finally {
      await rm(outside, { recursive: true, force: true });
      await rm(folder, { recursive: true, force: true });
    }
  });
});
