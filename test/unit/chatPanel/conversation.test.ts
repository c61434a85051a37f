import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRequest, imagesUpTo } from '../../../src/ui/chat/conversation';
import { ConversationStore, newConversationId } from '../../../src/ui/chat/conversationStore';
import { makeTree } from '../helpers/tempTree';
import { answer, sample } from './fixtures';

describe('chat conversation: backend requests', () => {
  it('turn 1: the image part, then the prompt', () => {
    const { messages, images } = buildRequest(sample(), 0, 0);
    assert.deepEqual(messages, [{ role: 'user', content: [{ type: 'image', index: 0 }, { type: 'text', text: 'What colour?' }] }]);
    assert.deepEqual(images, [{ kind: 'file', path: '/w/red.png' }]);
  });

  it('later turns carry the column\'s own earlier answers; a failed turn is skipped but its image moves on', () => {
    const b = buildRequest(sample(), 2, 1);
    assert.deepEqual(b.messages, [
      { role: 'user', content: [{ type: 'image', index: 0 }, { type: 'text', text: 'What colour?' }] },
      { role: 'assistant', content: 'crimson' },
      { role: 'user', content: [{ type: 'image', index: 1 }, { type: 'text', text: 'Both together?' }] },
    ]);
    assert.deepEqual(b.images.map((i) => (i as { path: string }).path), ['/w/red.png', '/w/blue.png']);
    assert.equal((buildRequest(sample(), 2, 0).messages[1]!.content), 'red');
  });

  it('a column without an answer for an earlier turn (compare turned on later) uses column A\'s', () => {
    const c = sample();
    c.turns[0]!.answers = [answer(0, 'red')];
    assert.equal(buildRequest(c, 2, 1).messages[1]!.content, 'red');
  });

  it('an unknown image id is an error, not a silent drop', () => {
    const c = sample();
    c.turns[0]!.imageIds = ['gone'];
    assert.throws(() => buildRequest(c, 0, 0), /unknown image gone/);
  });

  it('imagesUpTo: every image shown up to the turn, once', () => {
    assert.deepEqual(imagesUpTo(sample(), 0).map((i) => i.id), ['red']);
    assert.deepEqual(imagesUpTo(sample(), 2).map((i) => i.id), ['red', 'blue']);
  });
});

describe('chat conversation store', () => {
  let tree: ReturnType<typeof makeTree>;
  afterEach(() => tree?.remove());

  it('round-trips a conversation; answers cut off by a reload come back as stopped', async () => {
    tree = makeTree({});
    const store = new ConversationStore(join(tree.root, 'conversations'));
    const c = sample();
    await store.save(c);
    const loaded = await store.load(c.id);
    const expected = sample();
    expected.turns[2]!.answers[0]!.status = 'stopped';
    assert.deepEqual(loaded, expected);
    assert.deepEqual(readdirSync(join(tree.root, 'conversations')), ['c-test-1.json'], 'no temporary file left');
  });

  it('absent → null; damaged → null, and the damaged file is kept aside (not overwritten later)', async () => {
    tree = makeTree({ 'conversations/c-bad.json': '{"version":1,"id":"c-bad"' });
    const store = new ConversationStore(join(tree.root, 'conversations'));
    assert.equal(await store.load('c-none'), null);
    assert.equal(await store.load('c-bad'), null);
    assert.equal(existsSync(join(tree.root, 'conversations/c-bad.json')), false);
    assert.equal(readdirSync(join(tree.root, 'conversations')).filter((n) => n.startsWith('c-bad.json.damaged-')).length, 1);
  });

  it('a file whose id does not match its name is not trusted', async () => {
    tree = makeTree({});
    const store = new ConversationStore(join(tree.root, 'conversations'));
    await store.save(sample());
    writeFileSync(join(tree.root, 'conversations/c-other.json'), JSON.stringify(sample()));
    assert.equal(await store.load('c-other'), null);
  });

  it('refuses ids that would leave the folder', async () => {
    tree = makeTree({});
    const store = new ConversationStore(join(tree.root, 'conversations'));
    await assert.rejects(store.load('../../etc/passwd'), /invalid conversation id/);
    await assert.rejects(store.save({ ...sample(), id: '../x' }), /invalid conversation id/);
    assert.match(newConversationId(), /^c-[a-z0-9]+-[0-9a-f]{12}$/);
  });

  it('lists newest first and prunes beyond the limit', async () => {
    tree = makeTree({});
    const store = new ConversationStore(join(tree.root, 'conversations'), 2);
    for (const id of ['c-a', 'c-b', 'c-c']) {
      await store.save({ ...sample(), id });
      await new Promise((r) => setTimeout(r, 15));
    }
    assert.deepEqual(await store.list(), ['c-c', 'c-b', 'c-a']);
    assert.equal(await store.prune(), 1);
    assert.deepEqual(await store.list(), ['c-c', 'c-b']);
  });

  it('concurrent saves of one conversation land in order: an older, bigger snapshot never ends up last', async () => {
    tree = makeTree({});
    const store = new ConversationStore(join(tree.root, 'conversations'));
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      const snapshot = sample();
      snapshot.title = `v${i}`;
      snapshot.turns[0]!.answers[0]!.text = 'x'.repeat((20 - i) * 200_000); // the older, the longer to write
      saves.push(store.save(snapshot));
    }
    await Promise.all(saves);
    assert.equal((await store.load('c-test-1'))?.title, 'v19');
    assert.deepEqual(readdirSync(join(tree.root, 'conversations')), ['c-test-1.json'], 'no temporary file left');
  });

  it('a save asked for while one is writing writes the conversation as it is by then; flush waits for both', async () => {
    tree = makeTree({});
    const store = new ConversationStore(join(tree.root, 'conversations'));
    const c = sample();
    c.turns[0]!.answers[0]!.text = 'y'.repeat(2_000_000);
    void store.save(c);
    c.turns[2]!.answers[0]!.text = 'red and blue, and more';
    c.turns[2]!.answers[0]!.status = 'done';
    void store.save(c);
    await store.flush();
    const saved = JSON.parse(readFileSync(join(tree.root, 'conversations/c-test-1.json'), 'utf8'));
    assert.equal(saved.turns[2].answers[0].text, 'red and blue, and more');
    assert.equal(saved.turns[2].answers[0].status, 'done');
  });

  it('a failed save does not block the next one', async () => {
    tree = makeTree({ 'blocked': 'a file where the folder should be' });
    const blocked = new ConversationStore(join(tree.root, 'blocked', 'conversations'));
    await assert.rejects(blocked.save(sample()), /ENOTDIR|EEXIST/);
    const store = new ConversationStore(join(tree.root, 'conversations'));
    await store.save(sample());
    assert.equal((await store.load('c-test-1'))?.id, 'c-test-1');
    await blocked.flush();
  });
});
