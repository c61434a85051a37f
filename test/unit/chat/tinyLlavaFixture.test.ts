import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { generate } from '../../fixtures/tiny-llava/generate';
import { TINY_LLAVA } from './testImages';

const listFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).sort();

describe('tiny-llava fixture', () => {
  it('is exactly what the generator writes (regenerate with npx tsx test/fixtures/tiny-llava/generate.ts)', () => {
    const out = mkdtempSync(join(tmpdir(), 'tiny-llava-'));
    try {
      generate(out);
      assert.deepEqual(listFiles(out), listFiles(TINY_LLAVA));
      for (const file of listFiles(out)) assert.ok(readFileSync(join(out, file)).equals(readFileSync(join(TINY_LLAVA, file))), `${file} differs`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('stays small (~100 KB)', () => {
    const bytes = listFiles(TINY_LLAVA).reduce((sum, file) => sum + readFileSync(join(TINY_LLAVA, file)).byteLength, 0);
    assert.ok(bytes < 150_000, `${bytes} bytes`);
  });

  it('tokenizes the answer words as single tokens and renders the ChatML template', async () => {
    const { AutoTokenizer, env } = await import('@huggingface/transformers');
    env.allowRemoteModels = false;
    env.useFSCache = false;
    const tokenizer = await AutoTokenizer.from_pretrained(TINY_LLAVA);
    const ids = tokenizer.encode('the image is green', { add_special_tokens: false });
    assert.equal(ids.length, 4);
    assert.equal(tokenizer.decode(ids), 'the image is green');
    const prompt = tokenizer.apply_chat_template([{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Hi?' }] }] as never, { tokenize: false, add_generation_prompt: true });
    assert.equal(prompt, '<|im_start|>user\n<image>Hi?<|im_end|>\n<|im_start|>assistant\n');
  });
});
