/** Streams one answer from a backend into callbacks; the controller decides where the text goes. */
import type { ChatBackend, ChatImage, ChatMessage, ChatStage, GenerateOptions } from '../../core/chat/types';
import { ChatError } from '../../core/chat/types';
import type { AnswerMeta, GenerationSettings } from '../../protocol/chat';

export const STAGE_LABELS: Record<ChatStage, string> = {
  'loading-model': 'Loading the model…',
  'preparing-image': 'Preparing the image…',
  'starting-worker': 'Starting the Python worker…',
  connecting: 'Connecting…',
  generating: 'Generating…',
};

export function generateOptions(settings: GenerationSettings, target: Pick<GenerateOptions, 'useAdapter'> = {}): GenerateOptions {
  return {
    ...target,
    maxNewTokens: settings.maxNewTokens,
    temperature: settings.greedy ? 0 : settings.temperature,
    ...(settings.greedy ? {} : { topP: settings.topP }),
    ...(settings.ignoreEos ? { ignoreEos: true } : {}),
  };
}

export interface AnswerCallbacks {
  stage(label: string): void;
  text(chunk: string): void;
}

export interface FinishedAnswer {
  text: string;
  meta: AnswerMeta;
  stopped: boolean;
}

/** Runs backend.stream to its `done`; throws ChatError (or Error) on failure. */
export async function runAnswer(
  backend: ChatBackend,
  request: { messages: ChatMessage[]; images: ChatImage[] },
  settings: GenerationSettings,
  signal: AbortSignal,
  callbacks: AnswerCallbacks,
  targetOptions: Pick<GenerateOptions, 'useAdapter'> = {},
): Promise<FinishedAnswer> {
  for await (const event of backend.stream(request.messages, request.images, generateOptions(settings, targetOptions), signal)) {
    if (event.type === 'status') callbacks.stage(event.detail ? `${STAGE_LABELS[event.stage]} ${event.detail}` : STAGE_LABELS[event.stage]);
    else if (event.type === 'token') callbacks.text(event.text);
    else {
      const a = event.answer;
      return {
        text: a.text,
        stopped: a.finishReason === 'stopped',
        meta: { backend: a.backend, model: a.model, tokens: a.tokens, ttft_ms: a.ttft_ms, tokens_per_s: a.tokens_per_s, finishReason: a.finishReason },
      };
    }
  }
  throw new ChatError('protocol', `${backend.kind} backend ended without an answer`, 'try again; see the LLaVA Studio output for details');
}

export function describeError(error: unknown): { message: string; hint: string | null } {
  if (error instanceof ChatError) return { message: error.message, hint: error.hint ?? null };
  return { message: error instanceof Error ? error.message : String(error), hint: null };
}
