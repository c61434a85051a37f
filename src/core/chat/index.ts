/** Entry point for the chat panel and CLI: build a backend from its settings. See types.ts for the API. */
import type { BackendConfig, ChatBackend } from './types';

export * from './types';
export { collectAnswer } from './answerMeter';

/** Backends load on first use so that activating the extension stays cheap. */
export async function createChatBackend(config: BackendConfig): Promise<ChatBackend> {
  switch (config.kind) {
    case 'onnx':
      return new (await import('./onnxBackend')).OnnxBackend(config);
    case 'openai':
      return new (await import('./openaiBackend')).OpenAIBackend(config);
    case 'worker':
      return new (await import('./workerBackend')).WorkerBackend(config);
  }
}
