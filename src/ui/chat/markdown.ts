/** "Copy as Markdown": a conversation (or one turn) as a Markdown transcript for notes and issues. */
import { displayUrl } from '../../core/chat/urls';
import type { StoredAnswer, StoredConversation, StoredImage } from './conversation';

export interface MarkdownOptions {
  /** Only this turn; all turns when absent. */
  turnId?: string | null;
  /** How an image path is written: workspace-relative when possible (the caller knows the folders). */
  displayPath?: (path: string) => string;
}

function imageLine(image: StoredImage, displayPath: (path: string) => string): string {
  if (image.origin === 'pasted') return `*(pasted image, sha256 ${image.sha256.slice(0, 12)})*`;
  if (image.origin === 'url' && image.url) return `![${escapeText(image.name)}](<${displayUrl(image.url)}>)`; // no token of a presigned URL
  return `![${escapeText(image.name)}](<${displayPath(image.path).replace(/\\/g, '/')}>)`;
}

/** Brackets and angle brackets would end the alt text or link early. */
function escapeText(text: string): string {
  return text.replace(/[[\]<>]/g, (c) => `\\${c}`);
}

export function formatMeta(answer: StoredAnswer): string {
  const m = answer.meta;
  if (!m) return answer.targetLabel;
  const parts = [`${m.backend} · ${m.model}`, `${m.tokens} tokens`];
  if (m.tokens > 0) parts.push(`TTFT ${Math.round(m.ttft_ms)} ms`);
  if (m.tokens_per_s > 0) parts.push(`${m.tokens_per_s.toFixed(1)} tok/s`);
  return parts.join(', ');
}

function answerBlock(answer: StoredAnswer, label: string): string {
  const head = `**${label}** (${formatMeta(answer)}):`;
  if (answer.status === 'error') return `${head}\n\n> error: ${answer.error?.message ?? 'unknown'}${answer.error?.hint ? ` (${answer.error.hint})` : ''}`;
  const body = answer.text.trim() === '' ? '*(no answer)*' : answer.text.trim();
  return `${head}\n\n${body}${answer.status === 'stopped' ? '\n\n*(stopped)*' : ''}`;
}

export function conversationMarkdown(conversation: StoredConversation, options: MarkdownOptions = {}): string {
  const displayPath = options.displayPath ?? ((p: string) => p);
  const images = new Map(conversation.images.map((image) => [image.id, image]));
  const index = options.turnId ? conversation.turns.findIndex((t) => t.id === options.turnId) : -1;
  if (options.turnId && index < 0) throw new Error(`no turn ${options.turnId} in this conversation`);
  const turns = index >= 0 ? [conversation.turns[index]!] : conversation.turns;
  // One turn on its own still shows the images its question is about (attached earlier).
  const earlier = index > 0 ? conversation.turns.slice(0, index).flatMap((t) => t.imageIds) : [];
  const blocks: string[] = [`## ${conversation.title}`];
  for (const turn of turns) {
    for (const id of [...earlier.splice(0), ...turn.imageIds]) {
      const image = images.get(id);
      if (image) blocks.push(imageLine(image, displayPath));
    }
    blocks.push(`**You:** ${turn.prompt.trim()}`);
    const compared = turn.answers.length > 1;
    for (const answer of [...turn.answers].sort((a, b) => a.slot - b.slot)) {
      const label = compared ? `${answer.slot === 0 ? 'A' : 'B'}: ${answer.targetLabel}` : answer.targetLabel;
      blocks.push(answerBlock(answer, label));
    }
  }
  return `${blocks.join('\n\n')}\n`;
}
