/**
 * URLs as the chat shows them, and the origin an API key belongs to. A base URL comes from settings a
 * workspace can set, and a pasted image URL may be presigned: neither may leak a user:password or a
 * query string (tokens) into the UI, a log or an error.
 */

/** `url` without user:password, query string or fragment; text that is not a URL comes back with anything after `?`/`#` cut. */
export function displayUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/[?#].*$/s, '').replace(/\/\/[^/@]*@/, '//');
  }
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  // URL keeps a lone "/" path for http(s) origins; drop it when the input had none.
  const text = parsed.toString();
  return /^[a-z][a-z0-9+.-]*:\/\/[^/]*$/i.test(url.replace(/[?#].*$/s, '')) ? text.replace(/\/$/, '') : text;
}

/** Replaces every URL inside free text (an error message, a server's reply) with its displayUrl. */
export function scrubUrls(text: string): string {
  // A URL ends before spaces, quotes and brackets, and before punctuation that ends a sentence.
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>()]*[^\s"'<>().,:;!?]/gi, (url) => displayUrl(url));
}

/**
 * The normalized origin of an http(s) base URL ("http://localhost:8000"): lower-case scheme and host,
 * default port dropped, no credentials. Throws for anything else (an API key never goes there).
 */
export function apiOrigin(baseUrl: string): string {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl.trim());
  } catch {
    throw new Error(`llavaStudio.chat.openai.baseUrl is not a URL: "${displayUrl(baseUrl.trim()).slice(0, 200)}" (expected e.g. http://localhost:8000/v1)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`llavaStudio.chat.openai.baseUrl must be http(s), got ${parsed.protocol} in "${displayUrl(baseUrl.trim()).slice(0, 200)}"`);
  }
  return parsed.origin;
}
