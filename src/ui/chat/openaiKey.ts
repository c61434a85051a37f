/**
 * The OpenAI-compatible API key, kept per server origin. The base URL is a setting a (trusted)
 * workspace can change, so a key is stored under the origin it was entered for and is only ever sent
 * to that origin: a workspace that points the base URL elsewhere gets no key. No vscode here.
 */
import type { OpenAIBackendConfig } from '../../core/chat/types';
import { apiOrigin } from '../../core/chat/urls';

/** Where keys were kept before they were per origin; such a key is never sent (its origin is unknown). */
export const LEGACY_OPENAI_KEY_SECRET = 'llavaStudio.chat.openai.apiKey';

/** Secret storage key of the API key for `origin` (already normalized by apiOrigin). */
export function openAiKeySecret(origin: string): string {
  return `openai-key:${origin}`;
}

/** The secret name for the configured base URL; throws (with the setting named) when it is not an http(s) URL. */
export function openAiKeySecretFor(baseUrl: string): { origin: string; secret: string } {
  const origin = apiOrigin(baseUrl);
  return { origin, secret: openAiKeySecret(origin) };
}

/** `config` with the key stored for its base URL's origin, if any; a key stored for any other origin is never read. */
export async function withApiKey(config: OpenAIBackendConfig, getSecret: (name: string) => PromiseLike<string | undefined>): Promise<OpenAIBackendConfig> {
  const { apiKey: _ignored, ...rest } = config;
  let secret: string;
  try {
    secret = openAiKeySecretFor(config.baseUrl).secret;
  } catch {
    return rest; // not an http(s) URL: the request fails on its own, without a key
  }
  const apiKey = await getSecret(secret);
  return apiKey ? { ...rest, apiKey } : rest;
}
