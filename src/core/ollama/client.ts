import { Ollama } from 'ollama';
import { classifyError, pullError, OllamaError, type OllamaErrorKind } from './errors';
import { parseModelfileStops } from './goQuoted';
import { findModel } from './modelName';
import { createGuardedFetch, malformedLine } from './guardedFetch';
import { nodeFetch } from './nodeFetch';
import type { GenerateResult, GenerateSpec, GenerationOptions, Logprob, ModelDetails, ModelSummary, PullProgress } from './types';

export interface OllamaClientOptions {
  host: string;
  /** Time allowed until the first byte of a response (cold loads are slow). */
  requestTimeoutMs?: number;
  /** Time allowed between two chunks of a stream. */
  stallTimeoutMs?: number;
  /** Retries for retryable failures (503 busy, reset, stream errors), with exponential backoff. */
  retries?: number;
  retryBaseMs?: number;
  /** Injected for tests. */
  fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** Called before each retry. */
  onRetry?: (error: OllamaError, attempt: number, delayMs: number) => void;
}

/** What a 1-token request returns for stepwise scoring. */
export interface NextTokenReply {
  /** The top alternatives (≤ 20), descending; empty when the server gave no logprobs. */
  top: Logprob[];
  /** The token actually generated (absent when generation ended at once). */
  generated?: Logprob;
  /** Prompt tokens evaluated, as the server counted them. */
  promptEvalCount?: number;
}

/**
 * Retryable failures the client does not retry by itself: a first-byte timeout (a cold load would
 * only be waited for again), a refused connection (Ollama has to be started) and an unknown failure.
 */
const NOT_RETRIED_HERE: ReadonlySet<OllamaErrorKind> = new Set<OllamaErrorKind>(['timeout-first-byte', 'not-running', 'unknown']);

const DEFAULT_TIMEOUT_MS = 300_000;
const DEFAULT_STALL_MS = 120_000;

/** The one place that talks to Ollama. Wraps the `ollama` package; every call is cancellable. */
export class OllamaClient {
  readonly host: string;
  private readonly options: Required<Omit<OllamaClientOptions, 'fetch' | 'onRetry'>> & Pick<OllamaClientOptions, 'fetch' | 'onRetry'>;
  requestCount = 0;

  get requestTimeoutMs(): number {
    return this.options.requestTimeoutMs;
  }

  constructor(options: OllamaClientOptions) {
    this.host = options.host.replace(/\/+$/, '');
    this.options = {
      host: this.host,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      stallTimeoutMs: options.stallTimeoutMs ?? DEFAULT_STALL_MS,
      retries: options.retries ?? 3,
      retryBaseMs: options.retryBaseMs ?? 500,
      fetch: options.fetch,
      onRetry: options.onRetry,
    };
  }

  private api(signal?: AbortSignal, lines?: { count: number }): Ollama {
    const guarded = createGuardedFetch(
      {
        signal,
        firstByteTimeoutMs: this.options.requestTimeoutMs,
        stallTimeoutMs: this.options.stallTimeoutMs,
        host: this.host,
        ...(lines ? { lines } : {}),
      },
      this.options.fetch ?? nodeFetch,
    );
    return new Ollama({ host: this.host, fetch: guarded });
  }

  private async call<T>(model: string | undefined, signal: AbortSignal | undefined, fn: (api: Ollama, lines: { count: number }) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw classifyError(signal.reason ?? new DOMException('Aborted', 'AbortError'), { host: this.host, model });
      try {
        this.requestCount++;
        const lines = { count: 0 };
        return await fn(this.api(signal, lines), lines);
      } catch (raw) {
        const error = signal?.aborted ? new OllamaError('cancelled', 'The request was cancelled.', 'Run it again.') : classifyError(raw, { host: this.host, model });
        if (!error.retryable || attempt >= this.options.retries || NOT_RETRIED_HERE.has(error.kind)) throw error;
        const delayMs = this.options.retryBaseMs * 2 ** attempt;
        this.options.onRetry?.(error, attempt + 1, delayMs);
        await sleep(delayMs, signal);
      }
    }
  }

  async version(signal?: AbortSignal): Promise<string> {
    return this.call(undefined, signal, async (api) => (await api.version()).version);
  }

  async listModels(signal?: AbortSignal): Promise<ModelSummary[]> {
    return this.call(undefined, signal, async (api) => {
      const { models } = await api.list();
      return models.map((m) => ({
        name: m.name,
        digest: m.digest,
        size: m.size,
        modifiedAt: String(m.modified_at),
        family: m.details?.family,
        parameterSize: m.details?.parameter_size,
        quantization: m.details?.quantization_level,
      }));
    });
  }

  async showModel(model: string, signal?: AbortSignal): Promise<ModelDetails> {
    return this.call(model, signal, async (api) => {
      const info = await api.show({ model });
      const modelInfo = (info.model_info ?? {}) as unknown as Record<string, unknown>;
      const contextKey = Object.keys(modelInfo).find((k) => k.endsWith('.context_length'));
      const contextLength = contextKey ? modelInfo[contextKey] : undefined;
      const stops = parseModelfileStops(info.parameters ?? '');
      return {
        name: model,
        stops,
        modelfile: info.modelfile ?? '',
        capabilities: (info as { capabilities?: string[] }).capabilities ?? [],
        family: info.details?.family,
        parameterSize: info.details?.parameter_size,
        contextLength: typeof contextLength === 'number' ? contextLength : undefined,
      };
    });
  }

  /** Digest from /api/tags (show does not return one); undefined when the model is not installed. */
  async modelDigest(model: string, signal?: AbortSignal): Promise<string | undefined> {
    return findModel(await this.listModels(signal), model)?.digest;
  }

  /** Pulls a model; a failure says what failed (no such model, no network to the registry). */
  async pull(model: string, onProgress: (p: PullProgress) => void, signal?: AbortSignal): Promise<void> {
    await this.call(model, signal, async (api) => {
      try {
        const stream = await api.pull({ model, stream: true });
        for await (const part of stream) onProgress({ status: part.status, total: part.total, completed: part.completed });
      } catch (err) {
        throw pullError(err, model) ?? err;
      }
    });
  }

  /** Streams one generation and collects its text and logprobs (raw prompt, thinking off). */
  async generate(spec: GenerateSpec, signal?: AbortSignal): Promise<GenerateResult> {
    return this.call(spec.model, signal, async (api, lines) => {
      const request = {
        model: spec.model,
        prompt: spec.prompt,
        raw: true,
        think: false,
        // Refuse a prompt longer than the context instead of cutting its beginning (Ollama
        // truncates silently by default: numbers measured on a cut prompt would be wrong).
        truncate: false,
        stream: true as const,
        options: spec.options,
        ...(spec.logprobs ? { logprobs: true, top_logprobs: spec.topLogprobs ?? 0 } : {}),
        ...(spec.keepAlive !== undefined ? { keep_alive: spec.keepAlive } : {}),
      };
      const stream = await api.generate(request);
      let text = '';
      const logprobs: Logprob[] = [];
      const result: GenerateResult = { text: '', logprobs };
      let chunks = 0;
      for await (const chunk of streamErrorsTagged(stream)) {
        chunks++;
        text += chunk.response ?? '';
        const entries = (chunk as { logprobs?: Logprob[] }).logprobs;
        if (entries) logprobs.push(...entries);
        if (chunk.done) {
          result.doneReason = chunk.done_reason;
          result.promptEvalCount = chunk.prompt_eval_count;
          result.promptEvalDurationNs = chunk.prompt_eval_duration;
          result.evalCount = chunk.eval_count;
          result.totalDurationNs = chunk.total_duration;
          result.loadDurationNs = chunk.load_duration;
        }
      }
      // The package skips a line it cannot parse (with a console warning): never take a stream with a hole.
      if (chunks < lines.count) throw malformedLine();
      result.text = text;
      return result;
    });
  }

  /**
   * One-token request returning the top alternatives for the next token after `prompt`.
   * Ollama's Go runners return no logprobs when the generated token is end-of-sequence, so when
   * the greedy token ends the text, a few seeded samples at temperature 1 are drawn instead
   * (top_logprobs do not depend on the sampler): any non-final draw carries the alternatives.
   */
  async nextTokens(model: string, prompt: string, topLogprobs: number, signal?: AbortSignal, keepAlive?: string | number): Promise<NextTokenReply> {
    const attempts: GenerationOptions[] = [
      // stop: [] replaces the Modelfile's stops, which would swallow the entry of a token completing one.
      { num_predict: 1, temperature: 0, seed: 0, stop: [] },
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((seed) => ({ num_predict: 1, temperature: 1, top_k: 0, top_p: 1, min_p: 0, seed, stop: [] })),
    ];
    let promptEvalCount: number | undefined;
    for (const options of attempts) {
      const result = await this.generate({ model, prompt, options, logprobs: true, topLogprobs, keepAlive }, signal);
      promptEvalCount = result.promptEvalCount ?? promptEvalCount;
      const first = result.logprobs[0];
      if (first) return { top: first.top_logprobs ?? [], generated: first, promptEvalCount };
    }
    return { top: [], promptEvalCount };
  }

  /**
   * Whether this server sends logprobs, by asking (for versions that cannot tell, e.g. "0.0.0" of
   * a source build): a reply with logprobs says yes; text without them says the field was ignored.
   */
  async probeLogprobs(model: string, signal?: AbortSignal): Promise<boolean> {
    const attempts: GenerationOptions[] = [
      { num_predict: 1, temperature: 0, seed: 0, stop: [] },
      { num_predict: 1, temperature: 1, top_k: 0, top_p: 1, min_p: 0, seed: 1, stop: [] },
    ];
    for (const options of attempts) {
      const result = await this.generate({ model, prompt: 'The', options, logprobs: true, topLogprobs: 1 }, signal);
      if (result.logprobs.length > 0) return true;
      if (result.text !== '') return false;
    }
    return false;
  }

  /** Models loaded in memory (/api/ps), with their effective context length. */
  async loadedModels(signal?: AbortSignal): Promise<Array<{ name: string; contextLength?: number }>> {
    return this.call(undefined, signal, async (api) => {
      const { models } = await api.ps();
      return models.map((m) => ({ name: m.name, contextLength: (m as { context_length?: number }).context_length }));
    });
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new OllamaError('cancelled', 'The request was cancelled.', 'Run it again.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Errors the ollama package throws while iterating a stream are the server's (an {"error"} line). */
async function* streamErrorsTagged<T>(stream: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    for await (const chunk of stream) yield chunk;
  } catch (err) {
    // Socket failures are plain Errors too, but carry a code (ECONNRESET…): leave them to classifyError.
    if (err instanceof Error && err.constructor === Error && (err as { code?: unknown }).code === undefined) {
      if (err.message === 'Did not receive done or success response in stream.') {
        throw new OllamaError('stream-error', 'Ollama closed the stream before it finished.', 'Check the Ollama server log, then retry.', undefined, true);
      }
      throw new OllamaError('stream-error', `Ollama reported an error while generating: ${err.message}`, 'Check the Ollama server log (the model may have crashed or run out of memory), then retry.', undefined, true);
    }
    throw err;
  }
}
