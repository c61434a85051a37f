import type { AnswerView, ChatHostMessage, ChatResults, ChatWebviewMessage, ImageView } from '../../src/protocol/chat';
import type { MessageClient } from '../common/messageClient';

export type ChatClient = MessageClient<ChatHostMessage, ChatWebviewMessage, ChatResults>;

/** What the panel's parts share; the app owns the state behind it. */
export interface ChatContext {
  client: ChatClient;
  image(id: string): { view: ImageView; url: string | null } | undefined;
  openImage(id: string): void;
  notice(text: string, error?: boolean): void;
  /** The newest turn's id (only it can be regenerated). */
  lastTurnId(): string | null;
  busy(): boolean;
  regenerate(turnId: string): void;
  addToDataset(turnId: string, prompt: string, answer: AnswerView): void;
}

/** "1,234 ms" → "1.2 s" above a second. */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
