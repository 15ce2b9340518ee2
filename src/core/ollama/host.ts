/** Ollama's documented default address. */
export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';

/**
 * Turns an `OLLAMA_HOST`-style value into a base URL. Accepts `host`, `host:port`, `:port`,
 * `http(s)://host[:port]`; `0.0.0.0` (a bind address) becomes loopback. Empty → the default.
 * The ollama npm client does not read OLLAMA_HOST itself, so callers resolve it here.
 */
export function resolveHost(value: string | undefined): string {
  const raw = (value ?? '').trim();
  if (!raw) return DEFAULT_OLLAMA_HOST;
  let candidate = raw;
  if (candidate.startsWith(':')) candidate = `127.0.0.1${candidate}`;
  const explicitScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(candidate);
  if (!explicitScheme) candidate = `http://${candidate}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return DEFAULT_OLLAMA_HOST;
  }
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
  if (url.hostname === '[::]') url.hostname = '[::1]';
  if (!url.port && !explicitScheme) url.port = '11434';
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

/** The host to use: an explicit value first, else OLLAMA_HOST, else the default. */
export function hostFromEnvironment(explicit: string | undefined, env: Record<string, string | undefined>): string {
  if (explicit && explicit.trim()) return resolveHost(explicit);
  return resolveHost(env['OLLAMA_HOST']);
}

/** True when the host is this machine (prompts do not leave it). */
export function isLocalHost(baseUrl: string): boolean {
  try {
    const { hostname } = new URL(baseUrl);
    return hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname);
  } catch {
    return false;
  }
}

/** A URL Ollama could listen on ("host:port" forms as OLLAMA_HOST takes them), or why it is not one. */
export function hostProblem(value: string): string | undefined {
  const text = value.trim();
  if (text === '') return undefined; // empty: back to OLLAMA_HOST / the default
  const example = 'e.g. http://127.0.0.1:11434 or 192.168.1.20:11434';
  if (/\s/.test(text)) return `A URL has no spaces: ${example}.`;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    return `Not a URL: ${example}.`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'Use http:// or https://.';
  return url.hostname === '' ? `Not a URL: ${example}.` : undefined;
}
