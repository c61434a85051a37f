// A stand-in for `python -m llava_studio_worker.serve` that speaks the stdio protocol of
// src/core/chat/workerProtocol.ts. Its answer names the first image file ("the image is red" for
// red.png), so tests can see the paths arrive. Modes (--mode): normal, slow, no-torch, crash,
// ignore-cancel. With --adapter the answer ends in " (tuned)" unless the request says
// "use_adapter": false (serve.py: the PEFT adapter disabled for that request). Each start appends
// its pid and argv to the file named by FAKE_WORKER_LOG, so tests can count workers.
import { appendFileSync, existsSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { createInterface } from 'node:readline';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const mode = arg('--mode', 'normal');
const model = arg('--model', '?');
const adapter = arg('--adapter', null);
const send = (line) => process.stdout.write(JSON.stringify(line) + '\n');
if (process.env.FAKE_WORKER_LOG) appendFileSync(process.env.FAKE_WORKER_LOG, `${process.pid} ${process.argv.slice(2).join(' ')}\n`);

if (mode === 'no-torch') {
  process.stderr.write('Traceback (most recent call last):\nModuleNotFoundError: No module named torch\n');
  // Like errors.py missing_dependency: the message ends with the fix, which is also the hint.
  send({ type: 'error', id: null, message: `torch is not installed in ${process.execPath}: pip install -r /ext/native-bin/requirements.txt`, hint: 'pip install -r /ext/native-bin/requirements.txt' });
  process.exit(1);
}
process.stdout.write('Loading checkpoint shards: 100%\n'); // library chatter the client must ignore
send({ type: 'ready', model, adapter, device: 'cpu', dtype: 'fp32' });

const cancelled = new Set();
const queue = [];
let busy = false;

async function generate(request) {
  const started = Date.now();
  const parts = request.messages.flatMap((m) => (typeof m.content === 'string' ? [] : m.content)).filter((p) => p.type === 'image');
  if (parts.length !== request.images.length || parts.some((p) => Object.keys(p).length !== 1)) {
    return send({ type: 'error', id: request.id, message: `${parts.length} image parts but ${request.images.length} images`, hint: 'one path per {"type": "image"} part' });
  }
  const missing = request.images.find((path) => !existsSync(path));
  if (missing) return send({ type: 'error', id: request.id, message: `cannot open image ${missing}`, hint: 'check the path' });
  if (request.use_adapter !== undefined && typeof request.use_adapter !== 'boolean') {
    return send({ type: 'error', id: request.id, message: 'use_adapter must be true or false', hint: 'see the request format in serve.py' });
  }
  const first = request.images[0] ? basename(request.images[0], extname(request.images[0])) : 'nothing';
  const tuned = adapter && request.use_adapter !== false ? [' (tuned)'] : [];
  const full = mode === 'slow' || request.ignore_eos
    ? Array.from({ length: request.max_new_tokens }, (_, i) => `w${i} `)
    : ['the', ' image', ' is', ` ${first}`, ...tuned];
  const words = full.slice(0, request.max_new_tokens);
  let tokens = 0;
  let ttft = 0;
  send({ type: 'status', id: request.id, stage: 'generating' });
  for (const word of words) {
    if (cancelled.has(request.id) && mode !== 'ignore-cancel') break;
    if (mode === 'crash' && tokens === 2) {
      process.stderr.write('RuntimeError: CUDA error: an illegal memory access was encountered\n');
      process.exit(3);
    }
    await new Promise((r) => setTimeout(r, mode === 'slow' || mode === 'ignore-cancel' ? 10 : 1));
    if (tokens === 0) ttft = Date.now() - started;
    tokens++;
    send({ type: 'token', id: request.id, text: word });
  }
  if (mode === 'ignore-cancel' && cancelled.has(request.id)) return; // never answers
  // Like serve.py: no finish_reason, a `cancelled` flag; the eos token counts as a generated token.
  const ended = !cancelled.has(request.id) && tokens === full.length && !request.ignore_eos && mode !== 'slow';
  send({ type: 'done', id: request.id, tokens: tokens + (ended ? 1 : 0), ttft_ms: ttft, cancelled: cancelled.has(request.id) });
}

async function drain() {
  if (busy) return;
  busy = true;
  while (queue.length) await generate(queue.shift());
  busy = false;
}

createInterface({ input: process.stdin }).on('line', (text) => {
  const request = JSON.parse(text);
  if (request.type === 'generate') {
    queue.push(request);
    void drain();
  } else if (request.type === 'cancel') cancelled.add(request.id);
  else if (request.type === 'shutdown') {
    send({ type: 'exit', reason: 'shutdown' });
    process.exit(0);
  }
}).on('close', () => process.exit(0));
