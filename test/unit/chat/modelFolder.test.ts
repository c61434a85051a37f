import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkModelFolder } from '../../../src/core/chat/modelFolder';
import { ChatError } from '../../../src/core/chat/types';
import { TINY_LLAVA } from './testImages';

function copyFixture(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'llava-studio-model-')), 'tiny');
  cpSync(TINY_LLAVA, dir, { recursive: true });
  return dir;
}

async function incomplete(dir: string, pattern: RegExp, dtype?: string): Promise<void> {
  await assert.rejects(checkModelFolder(dir, dtype), (error: unknown) => {
    assert.ok(error instanceof ChatError);
    assert.equal(error.code, 'model-incomplete');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('model folder check', () => {
  it('accepts the tiny-llava fixture and picks fp32', async () => {
    const folder = await checkModelFolder(TINY_LLAVA);
    assert.equal(folder.dtype, 'fp32');
    assert.equal(folder.modelType, 'llava');
    assert.equal(folder.processorClass, 'LlavaProcessor');
    assert.deepEqual(folder.processorSize, { shortest_edge: 32 });
    assert.deepEqual(folder.sessions, ['vision_encoder', 'embed_tokens', 'decoder_model_merged']);
  });

  const removals = [
    'config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'processor_config.json',
    'onnx/vision_encoder.onnx', 'onnx/embed_tokens.onnx', 'onnx/decoder_model_merged.onnx',
  ];
  for (const file of removals) {
    it(`names the missing ${file}`, async () => {
      const dir = copyFixture();
      try {
        unlinkSync(join(dir, file));
        await incomplete(dir, new RegExp(`missing ${file.replace('.', '\\.')}`));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('names the missing variant file when a dtype is asked for', async () => {
    await incomplete(TINY_LLAVA, /missing onnx\/vision_encoder_q4\.onnx/, 'q4');
  });

  it('picks a quantized variant when that is all there is', async () => {
    const dir = copyFixture();
    try {
      for (const session of ['vision_encoder', 'embed_tokens', 'decoder_model_merged']) {
        cpSync(join(dir, 'onnx', `${session}.onnx`), join(dir, 'onnx', `${session}_q4.onnx`));
        unlinkSync(join(dir, 'onnx', `${session}.onnx`));
      }
      assert.equal((await checkModelFolder(dir)).dtype, 'q4');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a folder without a chat template', async () => {
    const dir = copyFixture();
    try {
      const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8'));
      delete config.chat_template;
      writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(config));
      await incomplete(dir, /no chat template/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses relative and absent folders', async () => {
    await incomplete('tiny-llava', /absolute path/);
    await incomplete('/nonexistent/tiny-llava', /not found/);
  });
});
