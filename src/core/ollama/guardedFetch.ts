import { OllamaError } from './errors';

export interface GuardOptions {
  /** Cancels the request (user cancel). */
  signal?: AbortSignal;
  /** No response headers within this time → `timeout-first-byte` (cold model loads can take minutes). */
  firstByteTimeoutMs: number;
  /** No body bytes for this long while streaming → `stalled`. */
  stallTimeoutMs: number;
  host: string;
  /** Counts the non-empty NDJSON lines received, so the reader can tell whether the package skipped one. */
  lines?: { count: number };
}

type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * A fetch for the ollama package that adds what it lacks: cancellation of every request,
 * a first-byte timeout, a stall timeout, rejection of malformed NDJSON lines (the package would
 * skip them silently), and JSON error bodies (the package logs to the console on plain-text ones).
 */
export function createGuardedFetch(options: GuardOptions, baseFetch: FetchFn = fetch): FetchFn {
  return async (input, init) => {
    const controller = new AbortController();
    const abortFrom = (signal: AbortSignal | null | undefined) => {
      if (!signal) return () => {};
      const onAbort = () => controller.abort(signal.reason);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      return () => signal.removeEventListener('abort', onAbort);
    };
    const detachUser = abortFrom(options.signal);
    const detachInner = abortFrom(init?.signal);
    const firstByteTimer = setTimeout(() => {
      controller.abort(
        new OllamaError(
          'timeout-first-byte',
          `Ollama at ${options.host} did not answer within ${Math.round(options.firstByteTimeoutMs / 1000)} s.`,
          'A cold model load can take minutes: raise the request timeout setting, or check the server.',
          undefined,
          true,
        ),
      );
    }, options.firstByteTimeoutMs);
    const cleanup = () => {
      clearTimeout(firstByteTimer);
      detachUser();
      detachInner();
    };
    let response: Response;
    try {
      response = await baseFetch(input, { ...init, signal: controller.signal });
    } catch (err) {
      cleanup();
      if (controller.signal.reason instanceof OllamaError) throw controller.signal.reason;
      throw err;
    }
    if (!response.ok) {
      // The first-byte timer still runs: an error body that never ends must not hang us.
      const text = await response.text().catch(() => '');
      cleanup();
      let error = text.trim() || `HTTP ${response.status}`;
      try {
        const parsed: unknown = JSON.parse(text);
        if (parsed && typeof parsed === 'object' && typeof (parsed as { error?: unknown }).error === 'string') error = (parsed as { error: string }).error;
      } catch {
        // plain-text body: keep it as the message
      }
      return new Response(JSON.stringify({ error }), { status: response.status, statusText: response.statusText, headers: { 'content-type': 'application/json' } });
    }
    clearTimeout(firstByteTimer);
    if (!response.body) {
      cleanup();
      return response;
    }
    const isNdjson = (response.headers.get('content-type') ?? '').includes('ndjson');
    return new Response(guardBody(response.body, controller, options, isNdjson, cleanup), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

export function malformedLine(shown?: string): OllamaError {
  const what = shown === undefined ? 'a malformed stream line' : `a malformed stream line: ${JSON.stringify(shown)}`;
  return new OllamaError('malformed-stream', `Ollama sent ${what}`, 'Check that the host is an Ollama server (and no proxy rewrites the stream), then retry.', undefined, true);
}

function guardBody(
  body: ReadableStream<Uint8Array>,
  controller: AbortController,
  options: GuardOptions,
  validateLines: boolean,
  cleanup: () => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  let stallTimer: ReturnType<typeof setTimeout> | undefined;
  const stalled = () =>
    new OllamaError(
      'stalled',
      `Ollama at ${options.host} stopped sending data for ${Math.round(options.stallTimeoutMs / 1000)} s.`,
      'The server may be overloaded or stuck: check it, then retry.',
      undefined,
      true,
    );
  // A cheap shape check (the ollama package parses every line anyway): a line that is not a JSON
  // object fails here with its text; one that only looks like one but does not parse is skipped by
  // the package, which the reader sees as fewer chunks than `options.lines` counted.
  const checkLines = (text: string): OllamaError | undefined => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const raw of lines) {
      const line = raw.trim();
      if (!line) continue;
      if (options.lines) options.lines.count++;
      if (!(line.startsWith('{') && line.endsWith('}'))) {
        const shown = line.length > 80 ? `${line.slice(0, 80)}…` : line;
        return malformedLine(shown);
      }
    }
    return undefined;
  };
  return new ReadableStream<Uint8Array>({
    async pull(out) {
      clearTimeout(stallTimer);
      const timeout = new Promise<never>((_, reject) => {
        stallTimer = setTimeout(() => reject(stalled()), options.stallTimeoutMs);
      });
      try {
        const { done, value } = await Promise.race([reader.read(), timeout]);
        clearTimeout(stallTimer);
        if (done) {
          if (validateLines) {
            const bad = checkLines(decoder.decode() + '\n');
            if (bad) throw bad;
          }
          cleanup();
          out.close();
          return;
        }
        if (validateLines) {
          const bad = checkLines(decoder.decode(value, { stream: true }));
          if (bad) throw bad;
        }
        out.enqueue(value);
      } catch (err) {
        clearTimeout(stallTimer);
        const reason = controller.signal.reason instanceof OllamaError ? controller.signal.reason : err;
        controller.abort(reason);
        reader.cancel(reason).catch(() => {});
        cleanup();
        out.error(reason);
      }
    },
    cancel(reason) {
      clearTimeout(stallTimer);
      controller.abort(reason);
      cleanup();
      return reader.cancel(reason).catch(() => {});
    },
  });
}
