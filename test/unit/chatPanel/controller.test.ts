import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createChatBackend } from '../../../src/core/chat';
import { ChatError, type ChatBackend, type ChatEvent, type WorkerBackendConfig } from '../../../src/core/chat/types';
import { DEFAULT_GENERATION, type ChatHostMessage } from '../../../src/protocol/chat';
import { BackendPool } from '../../../src/ui/chat/backendPool';
import { ChatController } from '../../../src/ui/chat/controller';
import { newConversation, type StoredConversation } from '../../../src/ui/chat/conversation';
import { ConversationStore } from '../../../src/ui/chat/conversationStore';
import { ImageImporter } from '../../../src/ui/chat/imageImport';
import { listTargets, type ResolvedTarget } from '../../../src/ui/chat/targets';
import { png, TINY_LLAVA } from '../chat/testImages';
import { makeTree } from '../helpers/tempTree';

const FAKE_WORKER = join(__dirname, '../chat/fakeWorker.mjs');

/** A scripted backend (a test double for our own controller logic): words at an interval, honours abort. */
class ScriptedBackend implements ChatBackend {
  readonly kind = 'onnx' as const;
  calls: { started: number; ended: number }[] = [];
  constructor(readonly model: string, private readonly words: string[], private readonly everyMs = 5, private readonly fail?: ChatError) {}
  async *stream(_m: unknown, _i: unknown, _o: unknown, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    const call = { started: Date.now(), ended: 0 };
    this.calls.push(call);
    yield { type: 'status', stage: 'loading-model', detail: this.model };
    if (this.fail) throw this.fail;
    let text = '';
    for (const word of this.words) {
      await new Promise((r) => setTimeout(r, this.everyMs));
      if (signal?.aborted) break;
      text += word;
      yield { type: 'token', text: word };
    }
    call.ended = Date.now();
    yield { type: 'done', answer: { text, tokens: text.length, ttft_ms: 1, tokens_per_s: 100, backend: 'onnx', model: this.model, finishReason: signal?.aborted ? 'stopped' : 'eos' } };
  }
  async dispose(): Promise<void> {}
}

const target = (id: string, problem: string | null = null): ResolvedTarget => ({
  info: { id, kind: 'onnx', label: id, detail: id, problem }, config: problem ? null : { kind: 'onnx', modelDir: `/m/${id}` },
});

describe('chat controller', () => {
  let tree: ReturnType<typeof makeTree>;
  let current: ChatController | undefined;
  afterEach(async () => {
    current?.dispose();
    await current?.whenIdle();
    tree?.remove();
  });

  async function setup(backends: Record<string, ChatBackend>, targets = Object.keys(backends).map((id) => target(id))) {
    tree = makeTree({ 'ws/red.png': await png([210, 25, 30]) });
    const posted: ChatHostMessage[] = [];
    const copied: string[] = [];
    const store = new ConversationStore(join(tree.root, 'store'));
    const images = new ImageImporter({ storageDir: join(tree.root, 'pasted'), workspaceFolders: () => [join(tree.root, 'ws')], pick: async () => undefined });
    const controller = new ChatController(newConversation('c-test', 'Ask LLaVA: red.png'), {
      listTargets: async () => ({ targets, onboarding: { needed: false, problem: null, shortlist: [] } }),
      backend: async (t) => backends[t.info.id]!,
      store, images, trusted: () => true,
      copyText: async (text) => { copied.push(text); },
      chooseDatasetFile: async () => join(tree.root, 'ws/data/train.jsonl'),
      runAction: async () => false,
      newConversationId: () => 'c-new',
      log: () => {},
      streamSaveMs: 40,
    }, { post: (m) => posted.push(m), setTitle: () => {} });
    current = controller;
    await controller.addStoredImage(await images.fromPath(join(tree.root, 'ws/red.png'), 'workspace'));
    await controller.handleMessage({ kind: 'notify', type: 'ready', payload: {} });
    return { controller, posted, copied, store };
  }
  let id = 0;
  const request = (method: string, params: unknown) => ({ kind: 'request', id: ++id, method, params });
  const send = (targets: string[], prompt = 'What colour?') => request('send', { prompt, targets, settings: DEFAULT_GENERATION });
  const replyTo = (posted: ChatHostMessage[], rid: number) => posted.find((m) => m.kind === 'reply' && m.id === rid) as { result?: unknown; error?: string } | undefined;
  const answers = (posted: ChatHostMessage[]) => posted.flatMap((m) => (m.kind === 'notify' && m.type === 'answer' ? [m.payload.answer] : []));
  const until = async (what: () => boolean, ms = 5000) => {
    const end = Date.now() + ms;
    while (!what()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  it('answers ready with init: the conversation, its pending image (with bytes) and the targets', async () => {
    const { posted } = await setup({ a: new ScriptedBackend('a', ['x']) });
    const init = posted.find((m) => m.kind === 'notify' && m.type === 'init') as Extract<ChatHostMessage, { type: 'init' }>;
    assert.equal(init.payload.conversation.images.length, 1);
    assert.ok(init.payload.conversation.images[0]!.bytes!.length > 0);
    assert.deepEqual(init.payload.conversation.pendingImageIds, [init.payload.conversation.images[0]!.id]);
    assert.deepEqual(init.payload.targets.map((t) => t.id), ['a']);
  });

  it('send: a turn, streamed tokens with offsets, the final answer with figures, saved', async () => {
    const { controller, posted, store } = await setup({ a: new ScriptedBackend('a', ['the ', 'image ', 'is ', 'red']) });
    const message = send(['a']);
    await controller.handleMessage(message);
    assert.match(String((replyTo(posted, message.id)?.result as { turnId: string }).turnId), /^t1-/);
    await until(() => answers(posted).some((a) => a.status === 'done'));
    const done = answers(posted).find((a) => a.status === 'done')!;
    assert.equal(done.text, 'the image is red');
    assert.deepEqual(done.meta?.finishReason, 'eos');
    const tokens = posted.flatMap((m) => (m.kind === 'notify' && m.type === 'token' ? [m.payload] : []));
    // Each batch starts where the page's text ends; the final answer replaces any batch still pending.
    let text = answers(posted).find((a) => a.status === 'streaming')!.text;
    for (const t of tokens) { assert.equal(t.offset, text.length); text += t.text; }
    assert.ok('the image is red'.startsWith(text) && text.length > 0);
    assert.deepEqual(posted.flatMap((m) => (m.kind === 'notify' && m.type === 'busy' ? [m.payload.busy] : [])), [true, false]);
    await controller.whenIdle();
    const saved = await store.load('c-test');
    assert.equal(saved?.turns[0]?.answers[0]?.text, 'the image is red');
    assert.equal(saved?.pendingImageIds.length, 0);
  });

  it('Stop marks the answer stopped at once, keeps its text, then takes the backend\'s final figures', async () => {
    const slow = new ScriptedBackend('a', Array.from({ length: 200 }, (_, i) => `w${i} `), 20);
    const { controller, posted } = await setup({ a: slow });
    await controller.handleMessage(send(['a']));
    await until(() => answers(posted).some((a) => a.status === 'streaming'));
    const before = posted.length;
    const started = performance.now();
    const stop = request('stop', {});
    await controller.handleMessage(stop);
    const stopped = answers(posted.slice(before)).find((a) => a.status === 'stopped');
    assert.ok(stopped, 'stopped answer posted before handleMessage returned');
    assert.ok(performance.now() - started < 200);
    assert.deepEqual(replyTo(posted, stop.id)?.result, { stopped: 1 });
    await until(() => answers(posted).filter((a) => a.status === 'stopped').length === 2);
    const final = answers(posted).at(-1)!;
    assert.equal(final.meta?.finishReason, 'stopped');
    assert.ok(final.text.startsWith('w0 ') && final.text.length < 200 * 4);
    assert.ok(slow.calls[0]!.ended - slow.calls[0]!.started < 2000, 'the backend was really interrupted');
  });

  it('compare: column B runs after column A, each with its own backend', async () => {
    const a = new ScriptedBackend('a', ['red'], 10);
    const b = new ScriptedBackend('b', ['crimson'], 10);
    const { controller, posted } = await setup({ a, b });
    await controller.handleMessage(send(['a', 'b']));
    await until(() => answers(posted).filter((x) => x.status === 'done').length === 2);
    assert.ok(b.calls[0]!.started >= a.calls[0]!.ended);
    assert.deepEqual(answers(posted).filter((x) => x.status === 'done').map((x) => [x.slot, x.text]), [[0, 'red'], [1, 'crimson']]);
  });

  it('errors: a backend failure shows message and hint; an unusable target says why', async () => {
    const broken = new ScriptedBackend('w', [], 1, new ChatError('worker-unavailable', 'torch is not installed in /usr/bin/python3', 'pip install torch transformers peft'));
    const { controller, posted } = await setup({ w: broken, gone: broken }, [target('w'), target('gone', 'not downloaded yet')]);
    await controller.handleMessage(send(['w', 'gone']));
    await until(() => answers(posted).filter((x) => x.status === 'error').length === 2);
    const [first, second] = answers(posted).filter((x) => x.status === 'error');
    assert.deepEqual(first!.error, { message: 'torch is not installed in /usr/bin/python3', hint: 'pip install torch transformers peft' });
    assert.match(second!.error!.message, /gone cannot be used: not downloaded yet/);
  });

  it('refuses: unknown targets, a second send while busy, regenerating an older turn, malformed messages', async () => {
    const { controller, posted } = await setup({ a: new ScriptedBackend('a', ['x ', 'y'], 30) });
    const unknown = send(['onnx:/etc']);
    await controller.handleMessage(unknown);
    assert.match(replyTo(posted, unknown.id)?.error ?? '', /unknown model "onnx:\/etc"/);
    await controller.handleMessage(send(['a']));
    const second = send(['a']);
    await controller.handleMessage(second);
    assert.match(replyTo(posted, second.id)?.error ?? '', /still answering/);
    await until(() => answers(posted).some((x) => x.status === 'done'));
    await controller.handleMessage(send(['a'], 'again?'));
    await until(() => answers(posted).filter((x) => x.status === 'done').length === 2);
    const turns = controller.snapshot.turns;
    const old = request('regenerate', { turnId: turns[0]!.id, targets: ['a'], settings: DEFAULT_GENERATION });
    await controller.handleMessage(old);
    assert.match(replyTo(posted, old.id)?.error ?? '', /only the last answer can be regenerated/);
    const bad = { kind: 'request', id: 999, method: 'send', params: { prompt: 1 } };
    await controller.handleMessage(bad);
    assert.match(replyTo(posted, 999)?.error ?? '', /invalid message at message\.params\.prompt/);
  });

  it('a hidden page gets nothing; shown again, init carries the text made meanwhile', async () => {
    const { controller, posted } = await setup({ a: new ScriptedBackend('a', ['the ', 'image ', 'is ', 'red'], 10) });
    await controller.handleMessage(send(['a']));
    controller.setVisible(false);
    const before = posted.length;
    await until(() => !controller.busy);
    assert.equal(posted.length, before);
    await controller.handleMessage({ kind: 'notify', type: 'ready', payload: {} });
    const init = posted.at(-1) as Extract<ChatHostMessage, { type: 'init' }>;
    assert.equal(init.payload.conversation.turns[0]!.answers[0]!.text, 'the image is red');
  });

  it('copy as Markdown, add to dataset, new chat', async () => {
    const { controller, posted, copied } = await setup({ a: new ScriptedBackend('a', ['red']) });
    await controller.handleMessage(send(['a']));
    await until(() => answers(posted).some((x) => x.status === 'done'));
    const copy = request('copyMarkdown', { turnId: null });
    await controller.handleMessage(copy);
    assert.match(copied[0]!, /!\[red\.png\]\(<red\.png>\)\n\n\*\*You:\*\* What colour\?/);
    const turnId = controller.snapshot.turns[0]!.id;
    const add = request('addToDataset', { turnId, slot: 0, prompt: 'What colour?', answer: 'Red, edited.' });
    await controller.handleMessage(add);
    const result = replyTo(posted, add.id)?.result as { path: string; line: number };
    assert.equal(result.line, 1);
    const record = JSON.parse(readFileSync(result.path, 'utf8'));
    assert.equal(record.messages[1].content[0].text, 'Red, edited.');
    assert.match(record.images[0], /^images\/red-[0-9a-f]{12}\.png$/);
    await controller.handleMessage(request('action', { action: { name: 'newChat' } }));
    assert.equal(controller.conversationId, 'c-new');
  });

  const storedAnswer = (root: string, id: string) => {
    try {
      return (JSON.parse(readFileSync(join(root, 'store', `${id}.json`), 'utf8')) as StoredConversation).turns[0]?.answers[0];
    } catch {
      return undefined; // being renamed into place
    }
  };

  it('saves the answer while it streams (throttled), not only at the end', async () => {
    const { controller, posted } = await setup({ a: new ScriptedBackend('a', Array.from({ length: 300 }, (_, i) => `w${i} `), 10) });
    await controller.handleMessage(send(['a']));
    await until(() => answers(posted).some((a) => a.status === 'streaming'));
    await until(() => (storedAnswer(tree.root, 'c-test')?.text.length ?? 0) > 0, 3000);
    assert.ok(controller.busy, 'saved while still streaming');
    assert.equal(storedAnswer(tree.root, 'c-test')?.status, 'streaming');
  });

  it('dispose resolves once the stopped answer is on disk', async () => {
    const { controller, posted } = await setup({ a: new ScriptedBackend('a', Array.from({ length: 300 }, (_, i) => `w${i} `), 10) });
    await controller.handleMessage(send(['a']));
    await until(() => answers(posted).some((a) => a.status === 'streaming'));
    await new Promise((r) => setTimeout(r, 30));
    await controller.dispose();
    const saved = storedAnswer(tree.root, 'c-test');
    assert.equal(saved?.status, 'stopped');
    assert.match(saved?.text ?? '', /^w0 w1 /);
    assert.equal(saved?.meta?.finishReason, 'stopped', 'the backend\'s final figures are in (it wound down in time)');
  });

  it('New Chat mid-answer: the old conversation keeps the answer, the new one does not get it', async () => {
    const { controller, posted, store } = await setup({ a: new ScriptedBackend('a', Array.from({ length: 300 }, (_, i) => `w${i} `), 10) });
    await controller.handleMessage(send(['a']));
    await until(() => answers(posted).some((a) => a.status === 'streaming'));
    await new Promise((r) => setTimeout(r, 30));
    await controller.handleMessage(request('action', { action: { name: 'newChat' } }));
    assert.equal(controller.conversationId, 'c-new');
    await controller.whenIdle();
    await store.flush();
    const old = await store.load('c-test');
    assert.match(old?.turns[0]?.answers[0]?.text ?? '', /^w0 w1 /);
    assert.equal(old?.turns[0]?.answers[0]?.meta?.finishReason, 'stopped', 'the final save went to the conversation that was answering');
    assert.deepEqual((await store.load('c-new'))?.turns, []);
  });

  it('compare base vs LoRA checkpoint: one worker answers both, the adapter switched off for the base', async function () {
    this.timeout(20_000);
    tree = makeTree({ 'ws/red.png': await png([210, 25, 30]), 'run/checkpoint-5/adapter_config.json': JSON.stringify({ base_model_name_or_path: 'org/base-vlm' }) });
    const log = join(tree.root, 'workers.log');
    const pool = new BackendPool(createChatBackend);
    const posted: ChatHostMessage[] = [];
    const images = new ImageImporter({ storageDir: join(tree.root, 'pasted'), workspaceFolders: () => [join(tree.root, 'ws')], pick: async () => undefined });
    const env = { settings: { onnxModel: '', openaiBaseUrl: '', openaiModel: '', python: process.execPath, workerModel: '' }, modelsDir: join(tree.root, 'models'), extensionPath: tree.root, trusted: true };
    const checkpoint = join(tree.root, 'run/checkpoint-5');
    const conversation = newConversation('c-cmp', 'x');
    conversation.extraTargets.push({ kind: 'checkpoint', path: checkpoint, runName: 'lora', hasAdapter: true });
    const controller = new ChatController(conversation, {
      listTargets: (extras) => listTargets(env, extras),
      // The real pool and worker client, with the fake worker script standing in for serve.py.
      backend: async (t) => pool.get({ ...(t.config as WorkerBackendConfig), command: [process.execPath, FAKE_WORKER], env: { FAKE_WORKER_LOG: log } }),
      store: new ConversationStore(join(tree.root, 'store')), images,
      trusted: () => true, copyText: async () => {}, chooseDatasetFile: async () => undefined, runAction: async () => false, newConversationId: () => 'c-x', log: () => {},
    }, { post: (m) => posted.push(m), setTitle: () => {} });
    try {
      await controller.addStoredImage(await images.fromPath(join(tree.root, 'ws/red.png'), 'workspace'));
      await controller.handleMessage({ kind: 'notify', type: 'ready', payload: {} });
      await controller.handleMessage(send([`checkpoint:${checkpoint}`, 'worker-base:org/base-vlm']));
      await until(() => answers(posted).filter((a) => a.status === 'done' || a.status === 'error').length === 2, 15_000);
      const finals = answers(posted).filter((a) => a.status === 'done' || a.status === 'error');
      assert.deepEqual(finals.map((a) => [a.slot, a.status, a.text]), [[0, 'done', 'the image is red (tuned)'], [1, 'done', 'the image is red']]);
      assert.equal(pool.size, 1);
      const starts = readFileSync(log, 'utf8').trim().split('\n');
      assert.equal(starts.length, 1, `one worker process, got ${starts.join(' | ')}`);
      assert.match(starts[0]!, new RegExp(`--model org/base-vlm --adapter ${checkpoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    } finally {
      await controller.dispose();
      await pool.dispose();
    }
  });

  it('with the real onnx backend on the tiny model: the red image is called red', async function () {
    this.timeout(60_000);
    tree = makeTree({ 'ws/red.png': await png([210, 25, 30]) });
    const pool = new BackendPool(createChatBackend);
    const posted: ChatHostMessage[] = [];
    const images = new ImageImporter({ storageDir: join(tree.root, 'pasted'), workspaceFolders: () => [join(tree.root, 'ws')], pick: async () => undefined });
    const env = { settings: { onnxModel: TINY_LLAVA, openaiBaseUrl: '', openaiModel: '', python: 'python3', workerModel: '' }, modelsDir: join(tree.root, 'models'), extensionPath: tree.root, trusted: true };
    const controller = new ChatController(newConversation('c-real', 'x'), {
      listTargets: (extras) => listTargets(env, extras), backend: async (t) => pool.get(t.config!), store: new ConversationStore(join(tree.root, 'store')), images,
      trusted: () => true, copyText: async () => {}, chooseDatasetFile: async () => undefined, runAction: async () => false, newConversationId: () => 'c-x', log: () => {},
    }, { post: (m) => posted.push(m), setTitle: () => {} });
    try {
      await controller.addStoredImage(await images.fromPath(join(tree.root, 'ws/red.png'), 'workspace'));
      await controller.handleMessage({ kind: 'notify', type: 'ready', payload: {} });
      await controller.handleMessage(send([`onnx:${TINY_LLAVA}`]));
      await until(() => answers(posted).some((a) => a.status === 'done' || a.status === 'error'), 50_000);
      const done = answers(posted).at(-1)!;
      assert.equal(done.status, 'done', JSON.stringify(done.error));
      assert.equal(done.text, 'the image is red');
      assert.equal(done.meta?.backend, 'onnx');
    } finally {
      await controller.whenIdle();
      await pool.dispose();
    }
  });
});
