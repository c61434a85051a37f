/**
 * A chat conversation as stored per workspace and as turned into backend messages. No vscode here:
 * the store, the controller and the tests share it. Images are kept by path and content hash, never
 * as bytes.
 */
import type { ChatImage, ChatMessage, ChatPart } from '../../core/chat/types';
import type { AnswerMeta, AnswerStatus, AnswerView, ConversationView, GenerationSettings, ImageView, Slot, TurnView } from '../../protocol/chat';

export const CONVERSATION_VERSION = 1;

export interface StoredImage {
  id: string;
  name: string;
  /** Absolute path: the workspace file, the picked file, or our stored copy of pasted bytes. */
  path: string;
  origin: 'workspace' | 'picked' | 'pasted' | 'url';
  /** The URL a `url` image was fetched from. */
  url?: string;
  /** sha256 of the bytes when added (hex). */
  sha256: string;
  mime: string;
}

export interface StoredAnswer {
  slot: Slot;
  targetId: string;
  targetLabel: string;
  text: string;
  status: AnswerStatus;
  error: { message: string; hint: string | null } | null;
  meta: AnswerMeta | null;
}

export interface StoredTurn {
  id: string;
  prompt: string;
  imageIds: string[];
  settings: GenerationSettings;
  answers: StoredAnswer[];
}

/** A target that belongs to this conversation (a checkpoint it was opened from), kept across reloads. */
export interface ExtraTarget {
  kind: 'checkpoint';
  path: string;
  runName: string;
  hasAdapter: boolean;
}

export interface StoredConversation {
  version: number;
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  images: StoredImage[];
  pendingImageIds: string[];
  turns: StoredTurn[];
  extraTargets: ExtraTarget[];
}

export function newConversation(id: string, title: string, now = Date.now()): StoredConversation {
  return { version: CONVERSATION_VERSION, id, title, createdAt: now, updatedAt: now, images: [], pendingImageIds: [], turns: [], extraTargets: [] };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);

/** Structural check of a conversation read from disk; anything else is treated as absent. */
export function isStoredConversation(value: unknown): value is StoredConversation {
  if (!isObject(value) || value.version !== CONVERSATION_VERSION || !isStr(value.id) || !isStr(value.title)) return false;
  if (typeof value.createdAt !== 'number' || typeof value.updatedAt !== 'number') return false;
  if (!isStrArray(value.pendingImageIds) || !Array.isArray(value.images) || !Array.isArray(value.turns) || !Array.isArray(value.extraTargets)) return false;
  const imageOk = (i: unknown) => isObject(i) && isStr(i.id) && isStr(i.name) && isStr(i.path) && isStr(i.sha256) && isStr(i.mime)
    && (i.origin === 'workspace' || i.origin === 'picked' || i.origin === 'pasted' || i.origin === 'url');
  const answerOk = (a: unknown) => isObject(a) && (a.slot === 0 || a.slot === 1) && isStr(a.targetId) && isStr(a.targetLabel) && isStr(a.text) && isStr(a.status);
  const turnOk = (t: unknown) => isObject(t) && isStr(t.id) && isStr(t.prompt) && isStrArray(t.imageIds) && isObject(t.settings) && Array.isArray(t.answers) && t.answers.every(answerOk);
  const extraOk = (e: unknown) => isObject(e) && e.kind === 'checkpoint' && isStr(e.path) && isStr(e.runName) && typeof e.hasAdapter === 'boolean';
  return value.images.every(imageOk) && value.turns.every(turnOk) && value.extraTargets.every(extraOk);
}

/** After a reload nothing is generating any more: answers cut off mid-stream read as stopped. */
export function settleInterrupted(conversation: StoredConversation): StoredConversation {
  for (const turn of conversation.turns) {
    for (const answer of turn.answers) {
      if (answer.status === 'streaming' || answer.status === 'waiting') answer.status = 'stopped';
    }
  }
  return conversation;
}

export function answerView(answer: StoredAnswer, stage: string | null = null): AnswerView {
  return { slot: answer.slot, targetLabel: answer.targetLabel, text: answer.text, status: answer.status, stage, error: answer.error, meta: answer.meta };
}

export function turnView(turn: StoredTurn): TurnView {
  return { id: turn.id, prompt: turn.prompt, imageIds: [...turn.imageIds], answers: turn.answers.map((a) => answerView(a)) };
}

export function conversationView(conversation: StoredConversation, images: ImageView[]): ConversationView {
  return { id: conversation.id, title: conversation.title, images, pendingImageIds: [...conversation.pendingImageIds], turns: conversation.turns.map(turnView) };
}

/** The answer of `slot` in a turn, or the first answer when that slot has none (compare switched on later). */
export function answerFor(turn: StoredTurn, slot: Slot): StoredAnswer | undefined {
  return turn.answers.find((a) => a.slot === slot) ?? turn.answers[0];
}

const usable = (answer: StoredAnswer | undefined): answer is StoredAnswer =>
  !!answer && (answer.status === 'done' || answer.status === 'stopped') && answer.text.length > 0;

/**
 * The messages and images for answering turn `turnIndex` in column `slot`: earlier turns with that
 * column's answers, then this turn's prompt. A turn without a usable answer is left out, its images
 * moving on to the next user message so every image still reaches the model once.
 */
export function buildRequest(conversation: StoredConversation, turnIndex: number, slot: Slot): { messages: ChatMessage[]; images: ChatImage[] } {
  const byId = new Map(conversation.images.map((image) => [image.id, image]));
  const messages: ChatMessage[] = [];
  const images: ChatImage[] = [];
  let carried: string[] = [];
  conversation.turns.slice(0, turnIndex + 1).forEach((turn, index) => {
    const imageIds = [...carried, ...turn.imageIds];
    const answer = answerFor(turn, slot);
    if (index < turnIndex && !usable(answer)) {
      carried = imageIds;
      return;
    }
    carried = [];
    const parts: ChatPart[] = [];
    for (const imageId of imageIds) {
      const image = byId.get(imageId);
      if (!image) throw new Error(`conversation ${conversation.id}: turn ${turn.id} refers to unknown image ${imageId}`);
      parts.push({ type: 'image', index: images.length });
      images.push({ kind: 'file', path: image.path });
    }
    parts.push({ type: 'text', text: turn.prompt });
    messages.push({ role: 'user', content: parts });
    if (index < turnIndex) messages.push({ role: 'assistant', content: answer!.text });
  });
  return { messages, images };
}

/** Images that go with turn `turnIndex` in a training sample: every image shown up to and including it. */
export function imagesUpTo(conversation: StoredConversation, turnIndex: number): StoredImage[] {
  const byId = new Map(conversation.images.map((image) => [image.id, image]));
  const ids = conversation.turns.slice(0, turnIndex + 1).flatMap((turn) => turn.imageIds);
  return [...new Set(ids)].map((imageId) => byId.get(imageId)).filter((image): image is StoredImage => !!image);
}
