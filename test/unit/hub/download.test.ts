import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadModel, type DownloadProgress } from '../../../src/core/hub/download';
import { modelFileFilter } from '../../../src/core/hub/modelFiles';
import { startHub, type HubOptions } from './hubServer';

const REPO = 'onnx-community/tiny-test-vlm';
const files = {
  'config.json': new TextEncoder().encode('{"model_type":"llava"}'),
  'tokenizer.json': new TextEncoder().encode('{"version":"1.0"}'),
  'onnx/decoder_model_merged_q4.onnx': new Uint8Array(randomBytes(300_000)),
  'onnx/decoder_model_merged.onnx': new Uint8Array(randomBytes(1000)),
  'onnx/vision_encoder_q4.onnx': new Uint8Array(randomBytes(50_000)),
  'README.md': new TextEncoder().encode('# test'),
};

describe('model download through @huggingface/hub against a local Hub', function () {
  this.timeout(20_000);
  let dest: string;
  const servers: { close: () => Promise<void> }[] = [];
  const hub = async (options: Partial<HubOptions> = {}) => {
    const server = await startHub({ repo: REPO, files, ...options });
    servers.push(server);
    return server;
  };
  beforeEach(() => (dest = mkdtempSync(join(tmpdir(), 'llava-studio-dl-'))));
  afterEach(async () => {
    rmSync(dest, { recursive: true, force: true });
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  const same = (path: keyof typeof files) => assert.deepEqual(new Uint8Array(readFileSync(join(dest, path))), files[path]);

  it('downloads the files the filter picks, with progress up to the total', async () => {
    const { hubUrl } = await hub();
    const progress: DownloadProgress[] = [];
    const result = await downloadModel({ repo: REPO, destDir: dest, hubUrl, filter: modelFileFilter('_q4'), onProgress: (p) => progress.push(p) });
    assert.deepEqual(result.files.sort(), ['config.json', 'onnx/decoder_model_merged_q4.onnx', 'onnx/vision_encoder_q4.onnx', 'tokenizer.json']);
    for (const path of result.files) same(path as keyof typeof files);
    assert.ok(!existsSync(join(dest, 'README.md')) && !existsSync(join(dest, 'onnx/decoder_model_merged.onnx')));
    const last = progress.at(-1)!;
    assert.equal(last.bytes, last.total);
    assert.equal(last.filesDone, 4);
    assert.ok(progress.every((p, i) => i === 0 || p.bytes >= progress[i - 1]!.bytes), 'progress never goes back');
  });

  it('resumes an interrupted file with a Range request on its .incomplete part', async () => {
    const server = await hub({ dropAfter: { 'onnx/decoder_model_merged_q4.onnx': 120_000 }, chunkBytes: 16_384 });
    const filter = (path: string) => path === 'onnx/decoder_model_merged_q4.onnx';
    await assert.rejects(downloadModel({ repo: REPO, destDir: dest, hubUrl: server.hubUrl, filter }));
    const partial = join(dest, 'onnx/decoder_model_merged_q4.onnx.incomplete');
    const kept = statSync(partial).size;
    assert.ok(kept > 0 && kept <= 120_000, `kept ${kept}`);
    server.requests.length = 0;
    await downloadModel({ repo: REPO, destDir: dest, hubUrl: server.hubUrl, filter });
    same('onnx/decoder_model_merged_q4.onnx');
    assert.ok(!existsSync(partial));
    const ranged = server.requests.filter((r) => r.url.endsWith('decoder_model_merged_q4.onnx') && r.range !== 'bytes=0-0');
    assert.deepEqual(ranged.map((r) => r.range), [`bytes=${kept}-`]);
  });

  it('cancels through the AbortSignal, keeps the partial file, and finishes it later', async () => {
    const server = await hub({ chunkBytes: 8192, chunkDelayMs: 5 });
    const controller = new AbortController();
    const filter = (path: string) => path === 'onnx/decoder_model_merged_q4.onnx';
    let abortedAt = 0;
    const run = downloadModel({
      repo: REPO, destDir: dest, hubUrl: server.hubUrl, filter, signal: controller.signal,
      onProgress: (p) => {
        if (p.bytes > 50_000 && !abortedAt) {
          abortedAt = performance.now();
          controller.abort();
        }
      },
    });
    await assert.rejects(run, (error: Error) => error.name === 'AbortError');
    assert.ok(performance.now() - abortedAt < 500);
    const kept = statSync(join(dest, 'onnx/decoder_model_merged_q4.onnx.incomplete')).size;
    assert.ok(kept >= 50_000 && kept < 300_000);
    await downloadModel({ repo: REPO, destDir: dest, hubUrl: server.hubUrl, filter });
    same('onnx/decoder_model_merged_q4.onnx');
  });

  it('skips files already complete on disk', async () => {
    const server = await hub();
    mkdirSync(join(dest, 'onnx'), { recursive: true });
    writeFileSync(join(dest, 'config.json'), files['config.json']);
    const result = await downloadModel({ repo: REPO, destDir: dest, hubUrl: server.hubUrl, filter: (p) => p === 'config.json' || p === 'tokenizer.json' });
    assert.deepEqual(result.skipped, ['config.json']);
    assert.ok(!server.requests.some((r) => r.url.endsWith('/config.json')));
    same('tokenizer.json');
  });

  it('starts over when the remote file changed (ETag differs from the partial\'s)', async () => {
    const server = await hub();
    mkdirSync(join(dest, 'onnx'), { recursive: true });
    const partial = join(dest, 'onnx/vision_encoder_q4.onnx.incomplete');
    writeFileSync(partial, randomBytes(10_000));
    writeFileSync(`${partial}.json`, JSON.stringify({ etag: '"an-older-version"' }));
    await downloadModel({ repo: REPO, destDir: dest, hubUrl: server.hubUrl, filter: (p) => p === 'onnx/vision_encoder_q4.onnx' });
    same('onnx/vision_encoder_q4.onnx');
    assert.ok(!server.requests.some((r) => r.range && r.range !== 'bytes=0-0'));
  });

  it('restarts cleanly when the server ignores Range', async () => {
    const first = await hub({ dropAfter: { 'onnx/vision_encoder_q4.onnx': 20_000 }, chunkBytes: 4096 });
    const filter = (p: string) => p === 'onnx/vision_encoder_q4.onnx';
    await assert.rejects(downloadModel({ repo: REPO, destDir: dest, hubUrl: first.hubUrl, filter }));
    const second = await hub({ ignoreRange: true });
    await downloadModel({ repo: REPO, destDir: dest, hubUrl: second.hubUrl, filter });
    same('onnx/vision_encoder_q4.onnx');
  });

  it('sends the token for gated repos and never puts it in errors', async () => {
    const token = 'hf_secretsecretsecret';
    const server = await hub({ token });
    await downloadModel({ repo: REPO, destDir: dest, hubUrl: server.hubUrl, accessToken: token, filter: (p) => p === 'config.json' });
    same('config.json');
    await assert.rejects(downloadModel({ repo: REPO, destDir: join(dest, 'b'), hubUrl: server.hubUrl, accessToken: 'hf_wrongwrongwrong' }), (error: Error) => {
      assert.match(error.message, /cannot list files of onnx-community\/tiny-test-vlm: .*check the access token/);
      assert.ok(!error.message.includes('hf_wrongwrongwrong'));
      return true;
    });
  });

  it('says which repo was not found', async () => {
    const server = await hub();
    await assert.rejects(downloadModel({ repo: 'someone/missing', destDir: dest, hubUrl: server.hubUrl }), /cannot list files of someone\/missing: .*check the repo id/);
  });
});
