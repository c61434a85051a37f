import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chatCheckpointOf, offeredActions } from '../../../src/ui/training/chatTarget';
import type { AlertView, LiveRun } from '../../../src/ui/training/liveState';
import { makeTree } from '../helpers/tempTree';

describe('"Chat with the fine-tuned model" after a run', () => {
  // What the worker leaves: a PEFT adapter (lora/qlora) or projector.safetensors alone (method projector).
  const tree = makeTree({
    'lora/final/adapter_config.json': '{}', 'lora/final/adapter_model.safetensors': 'x', 'lora/final/README.md': '#',
    'projector/final/projector.safetensors': 'x', 'projector/final/README.md': '#',
    'empty/final/README.md': '#',
    'stopped/checkpoint-40/adapter_config.json': '{}', 'stopped/checkpoint-40/adapter_model.safetensors': 'x',
  });
  after(() => tree.remove());

  type Folders = Pick<LiveRun, 'name' | 'runDir' | 'finalDir' | 'lastCheckpoint'>;
  const run = (name: string, final: string | null, checkpoint: string | null = null): Folders =>
    ({ name, runDir: join(tree.root, name), finalDir: final && join(tree.root, name, final), lastCheckpoint: checkpoint && join(tree.root, name, checkpoint) });
  const completed: AlertView = { severity: 'info', message: 'done', actions: ['pushToHub', 'chatWithAdapter', 'openScalars'] };

  const table: [string, Folders, { hasAdapter: boolean; hasProjector: boolean } | null, string[]][] = [
    ['a LoRA run: its adapter', run('lora', 'final'), { hasAdapter: true, hasProjector: false }, ['pushToHub', 'chatWithAdapter', 'openScalars']],
    ['a projector-only run: its projector, not an adapter', run('projector', 'final'), { hasAdapter: false, hasProjector: true }, ['pushToHub', 'chatWithAdapter', 'openScalars']],
    ['a final/ with neither: no chat', run('empty', 'final'), null, ['pushToHub', 'openScalars']],
    ['no final/, a checkpoint with an adapter: chat, no push', run('stopped', null, 'checkpoint-40'), { hasAdapter: true, hasProjector: false }, ['chatWithAdapter', 'openScalars']],
    ['nothing at all', run('none', null), null, ['openScalars']],
  ];
  for (const [name, folders, expected, actions] of table) {
    it(name, () => {
      const target = chatCheckpointOf(folders, existsSync, 'llava-hf/llava-1.5-7b-hf');
      if (expected === null) assert.equal(target, null);
      else {
        assert.deepEqual({ hasAdapter: target?.checkpoint.hasAdapter, hasProjector: target?.checkpoint.hasProjector }, expected);
        assert.equal(target!.checkpoint.path, folders.finalDir ?? folders.lastCheckpoint);
        assert.equal(target!.checkpoint.baseModel, 'llava-hf/llava-1.5-7b-hf', 'the base model from run.json config.model');
        assert.deepEqual(target!.run, { name: folders.name, path: folders.runDir, model: 'llava-hf/llava-1.5-7b-hf' });
      }
      assert.deepEqual(offeredActions(completed, folders, existsSync), actions);
    });
  }
});
