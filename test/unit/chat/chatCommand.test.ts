import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli';
import { COLOURS, png, TINY_LLAVA } from './testImages';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['chat', ...args], { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('llava-studio chat', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llava-studio-chat-cli-'));
    writeFileSync(join(dir, 'red.png'), await png(COLOURS.red));
    writeFileSync(join(dir, 'notes.txt'), 'not an image');
    cpSync(TINY_LLAVA, join(dir, 'broken-model'), { recursive: true });
    unlinkSync(join(dir, 'broken-model', 'tokenizer_config.json'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('streams the answer and prints the metrics as the last line with --json', async () => {
    const { code, out, err } = await run(['--model', TINY_LLAVA, '--image', join(dir, 'red.png'), '--prompt', 'What colour?', '--json']);
    assert.equal(code, 0, err);
    const lines = out.trimEnd().split('\n');
    assert.equal(lines[0], 'the image is red');
    const metrics = JSON.parse(lines.at(-1)!);
    assert.deepEqual(Object.keys(metrics), ['text', 'tokens', 'ttft_ms', 'tokens_per_s']);
    assert.equal(metrics.text, 'the image is red');
    assert.equal(metrics.tokens, 5);
    assert.ok(metrics.ttft_ms > 0 && metrics.tokens_per_s > 0);
  });

  it('honours --max-new-tokens', async () => {
    const { out } = await run(['--model', TINY_LLAVA, '--image', join(dir, 'red.png'), '--prompt', 'x', '--max-new-tokens', '2', '--json']);
    assert.equal(JSON.parse(out.trimEnd().split('\n').at(-1)!).text, 'the image');
  });

  const failures: [string, string[], RegExp][] = [
    ['an unreadable image', ['--image', 'notes.txt'], /not a readable image: .*notes\.txt/],
    ['a missing image', ['--image', 'nope.png'], /cannot read image .*nope\.png: ENOENT/],
    ['an incomplete model folder', ['--model', 'broken-model'], /incomplete: missing tokenizer_config\.json/],
    ['a bad --max-new-tokens', ['--max-new-tokens', 'lots'], /--max-new-tokens must be a positive integer/],
    ['a missing --prompt', ['--prompt'], /usage: llava-studio chat/],
  ];
  for (const [what, override, pattern] of failures) {
    it(`exits 2 with one line for ${what}`, async () => {
      const args: Record<string, string> = { '--model': TINY_LLAVA, '--image': join(dir, 'red.png'), '--prompt': 'hi' };
      if (override[1] !== undefined) args[override[0]!] = override[0] === '--model' || override[0] === '--image' ? join(dir, override[1]) : override[1];
      else delete args[override[0]!];
      const { code, err } = await run(Object.entries(args).flat());
      assert.equal(code, 2);
      assert.match(err, pattern);
      assert.equal(err.trimEnd().split('\n').length, 1, err);
    });
  }
});
