import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';

type FetchInput = string | URL | Request;

/**
 * A minimal fetch over node:http for the Ollama client. Node's built-in fetch (undici) gives up
 * after 300 s without response headers, and Ollama sends none until a cold model has loaded;
 * here the only time limits are ours (see guardedFetch). Supports what the ollama package uses:
 * method, headers, a string body, an AbortSignal, and a streamed response body.
 */
export function nodeFetch(input: FetchInput, init: RequestInit = {}): Promise<Response> {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  const transport = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
  if (!transport) return Promise.reject(new TypeError(`unsupported protocol ${url.protocol}`));
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, key) => {
    headers[key] = value;
  });
  const body = typeof init.body === 'string' ? init.body : undefined;
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  const signal = init.signal ?? undefined;

  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const request = transport.request(url, { method: init.method ?? 'GET', headers }, (response) => {
      const responseHeaders = new Headers();
      for (const [key, value] of Object.entries(response.headers)) {
        if (value === undefined) continue;
        for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(key, v);
      }
      const status = response.statusCode ?? 500;
      const hasBody = status !== 204 && status !== 304 && (init.method ?? 'GET') !== 'HEAD';
      resolve(
        new Response(hasBody ? (Readable.toWeb(response) as ReadableStream<Uint8Array>) : null, {
          status,
          statusText: response.statusMessage ?? '',
          headers: responseHeaders,
        }),
      );
    });
    const onAbort = () => request.destroy(signal?.reason instanceof Error ? signal.reason : new DOMException('Aborted', 'AbortError'));
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('close', () => signal?.removeEventListener('abort', onAbort));
    request.on('error', (err) => reject(signal?.aborted ? signal.reason : err));
    if (body !== undefined) request.write(body);
    request.end();
  });
}
