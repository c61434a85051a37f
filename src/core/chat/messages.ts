import { ChatError, type ChatImage, type ChatMessage, type ChatPart } from './types';

/** The message shape HF chat templates expect (`{type: 'image'}` marks where an image goes). */
export interface TemplateMessage {
  role: string;
  content: ({ type: 'text'; text: string } | { type: 'image' })[];
}

export function partsOf(message: ChatMessage): ChatPart[] {
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

/**
 * Checks image references and returns the images in the order the template will meet them
 * (an image may be referenced more than once; each reference is one image slot).
 */
export function imagesInOrder(messages: ChatMessage[], images: ChatImage[]): ChatImage[] {
  if (messages.length === 0) throw new ChatError('bad-request', 'no messages to answer', 'send at least one user message');
  const ordered: ChatImage[] = [];
  messages.forEach((message, m) => {
    for (const part of partsOf(message)) {
      if (part.type !== 'image') continue;
      const image = images[part.index];
      if (!image) throw new ChatError('bad-request', `message ${m} refers to image ${part.index}, but ${images.length} image(s) were given`, 'pass the image in the images array');
      ordered.push(image);
    }
  });
  return ordered;
}

export function toTemplateMessages(messages: ChatMessage[]): TemplateMessage[] {
  return messages.map((message) => ({
    role: message.role,
    content: partsOf(message).map((part) => (part.type === 'image' ? { type: 'image' as const } : { type: 'text' as const, text: part.text })),
  }));
}
