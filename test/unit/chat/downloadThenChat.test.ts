import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { collectAnswer } from '../../../src/core/chat/answerMeter';
import { checkModelFolder } from '../../../src/core/chat/modelFolder';
import { MODEL_SHORTLIST } from '../../../src/core/chat/modelShortlist';
import { DTYPE_SUFFIX } from '../../../src/core/chat/modelFolder';
import { newOnnxModelCache, OnnxBackend } from '../../../src/core/chat/onnxBackend';
import { downloadModel } from '../../../src/core/hub/download';
import { modelFileFilter } from '../../../src/core/hub/modelFiles';
import { startHub } from '../hub/hubServer';
import { COLOURS, png, TINY_LLAVA } from './testImages';

describe('shortlist → download → chat', function () {
  this.timeout(30_000);

  it('every shortlisted model names a known dtype with its suffix', () => {
    for (const model of MODEL_SHORTLIST) {
      assert.equal(DTYPE_SUFFIX[model.dtype], model.suffix, model.repo);
      assert.match(model.repo, /^[\w.-]+\/[\w.-]+$/);
      assert.ok(model.approxMb > 0);
    }
    const pick = modelFileFilter('_q4');
    assert.deepEqual(['config.json', 'onnx/decoder_model_merged_q4.onnx', 'onnx/decoder_model_merged_q4.onnx_data', 'onnx/embed_tokens.onnx', 'onnx/vision_encoder_q4f16.onnx', 'model.safetensors'].map(pick),
      [true, true, true, false, false, false]);
  });

  it('downloads a model folder from a (local) Hub and answers with it', async () => {
    const files: Record<string, Uint8Array> = {};
    for (const entry of readdirSync(TINY_LLAVA, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) files[relative(TINY_LLAVA, join(entry.parentPath, entry.name))] = new Uint8Array(readFileSync(join(entry.parentPath, entry.name)));
    }
    const hub = await startHub({ repo: 'onnx-community/tiny-llava', files, chunkBytes: 4096 });
    const dest = join(mkdtempSync(join(tmpdir(), 'llava-studio-dl-chat-')), 'tiny-llava');
    const cache = newOnnxModelCache({ idleMs: 60_000 });
    try {
      const result = await downloadModel({ repo: 'onnx-community/tiny-llava', destDir: dest, hubUrl: hub.hubUrl, filter: modelFileFilter('') });
      assert.ok(!result.files.includes('README.md'));
      assert.equal((await checkModelFolder(dest)).dtype, 'fp32');
      const backend = new OnnxBackend({ kind: 'onnx', modelDir: dest }, { cache });
      const answer = await collectAnswer(backend.stream([{ role: 'user', content: [{ type: 'image', index: 0 }, { type: 'text', text: 'Colour?' }] }],
        [{ kind: 'bytes', bytes: await png(COLOURS.blue), label: 'blue.png' }]));
      assert.equal(answer.text, 'the image is blue');
      assert.equal(answer.model, 'tiny-llava');
    } finally {
      await cache.unload();
      await hub.close();
      rmSync(dest, { recursive: true, force: true });
    }
  });
});
