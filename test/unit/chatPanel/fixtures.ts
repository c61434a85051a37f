// A conversation used by several chat-panel tests: three turns, compare answers, an error, a cut-off stream.
import { DEFAULT_GENERATION } from '../../../src/protocol/chat';
import { newConversation, type StoredAnswer, type StoredConversation, type StoredImage } from '../../../src/ui/chat/conversation';

const image = (id: string): StoredImage => ({ id, name: `${id}.png`, path: `/w/${id}.png`, origin: 'workspace', sha256: id.padEnd(64, '0'), mime: 'image/png' });
export const answer = (slot: 0 | 1, text: string, status: StoredAnswer['status'] = 'done'): StoredAnswer => ({
  slot, targetId: `t${slot}`, targetLabel: `model ${slot}`, text, status, error: null,
  meta: { backend: 'onnx', model: 'tiny', tokens: 5, ttft_ms: 12.5, tokens_per_s: 300, finishReason: 'eos' },
});

export function sample(): StoredConversation {
  const c = newConversation('c-test-1', 'Ask LLaVA: red.png', 1000);
  c.images.push(image('red'), image('blue'));
  c.turns.push(
    { id: 't1', prompt: 'What colour?', imageIds: ['red'], settings: DEFAULT_GENERATION, answers: [answer(0, 'red'), answer(1, 'crimson')] },
    { id: 't2', prompt: 'And this one?', imageIds: ['blue'], settings: DEFAULT_GENERATION, answers: [answer(0, '', 'error')] },
    { id: 't3', prompt: 'Both together?', imageIds: [], settings: DEFAULT_GENERATION, answers: [answer(0, 'red and blue', 'streaming')] },
  );
  return c;
}

