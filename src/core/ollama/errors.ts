/** Every failure talking to Ollama, classified so the UI can offer a next step. */
export type OllamaErrorKind =
  | 'not-running'
  | 'model-not-found'
  | 'bad-request'
  | 'overloaded'
  | 'server-error'
  | 'stream-error'
  | 'timeout-first-byte'
  | 'stalled'
  | 'malformed-stream'
  | 'connection-reset'
  | 'cancelled'
  | 'version-too-old'
  | 'context-overflow'
  | 'pull-failed'
  | 'unknown';

/**
 * Whether running the same request again, unchanged, can succeed: the failure came from the
 * server's state (down, busy, crashed, slow, a broken connection or stream), not from the request
 * or the setup (a missing model, a bad request, an old server), which the user must change first.
 * Records keep only the kind of their error; this is the default `retryable` of an OllamaError of
 * that kind (a server error counts as retryable: a 5xx, the common case; a 4xx one is not). An
 * unknown failure is not: it is more likely a defect than a passing state of the server.
 */
export function retryableKind(kind: string): boolean {
  return RETRYABLE_KINDS.has(kind);
}

const RETRYABLE_KINDS: ReadonlySet<string> = new Set<OllamaErrorKind>([
  'not-running',
  'overloaded',
  'server-error',
  'stream-error',
  'timeout-first-byte',
  'stalled',
  'malformed-stream',
  'connection-reset',
]);

export class OllamaError extends Error {
  override readonly name = 'OllamaError';
  constructor(
    readonly kind: OllamaErrorKind,
    message: string,
    readonly nextStep: string,
    readonly status?: number,
    /** Whether the same request can succeed later (see retryableKind); the client retries some of these itself. */
    readonly retryable = retryableKind(kind),
  ) {
    super(message);
  }

  toJSON(): { kind: OllamaErrorKind; message: string; nextStep: string; status?: number } {
    return { kind: this.kind, message: this.message, nextStep: this.nextStep, ...(this.status ? { status: this.status } : {}) };
  }
}

export const MIN_LOGPROBS_VERSION = '0.12.11';

interface ErrorContext {
  host: string;
  model?: string;
}

function hasStatus(err: unknown): err is Error & { status_code: number; error?: string } {
  return err instanceof Error && typeof (err as { status_code?: unknown }).status_code === 'number';
}

function causeCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function notRunning(ctx: ErrorContext, detail?: string): OllamaError {
  return new OllamaError(
    'not-running',
    `Ollama is not reachable at ${ctx.host}${detail ? ` (${detail})` : ''}.`,
    'Start Ollama (run `ollama serve` or open the Ollama app), or check the host setting, then retry.',
    undefined,
    true,
  );
}

/**
 * The refusals of a prompt longer than the context when `truncate: false` is sent: Go runners
 * (< 0.30) "the input length exceeds the context length", llama-server (≥ 0.30) "request (N tokens)
 * exceeds the available context size (M tokens), try increasing it".
 */
const CONTEXT_OVERFLOW = /input length exceeds the context length|exceeds the available context size/i;

export function contextOverflow(serverMessage: string, model: string): OllamaError {
  const sizes = /request \((\d+) tokens\) exceeds the available context size \((\d+) tokens\)/.exec(serverMessage);
  const detail = sizes ? ` (${sizes[1]} tokens; the context holds ${sizes[2]})` : '';
  return new OllamaError(
    'context-overflow',
    `The prompt is longer than ${model}'s context${detail}: Ollama refused it rather than cut its beginning, so nothing was measured on a cut prompt.`,
    'Shorten the prompt (fewer or shorter examples), or give the model a larger context: `PARAMETER num_ctx 8192` in its Modelfile (`ollama create`), or OLLAMA_CONTEXT_LENGTH for the server.',
    400,
    false,
  );
}

/** Maps anything thrown by fetch, the ollama package or our stream guard to an OllamaError. */
export function classifyError(err: unknown, ctx: ErrorContext): OllamaError {
  if (err instanceof OllamaError) return err;
  const model = ctx.model ?? 'the model';
  if (hasStatus(err)) {
    const status = err.status_code;
    const message = (err.error ?? err.message ?? '').toString();
    if (status === 404 && /not found/i.test(message) && /model/i.test(message)) {
      return new OllamaError('model-not-found', `Model '${model}' is not installed on ${ctx.host}.`, `Pull the model (\`ollama pull ${model}\`) or select another one.`, 404);
    }
    if (status === 404) {
      return new OllamaError('server-error', `Ollama at ${ctx.host} does not know this endpoint (404: ${message}).`, 'Update Ollama to a recent version.', 404, false);
    }
    if (status === 400 && CONTEXT_OVERFLOW.test(message)) return contextOverflow(message, model);
    if (status === 400) return new OllamaError('bad-request', `Ollama rejected the request: ${message}`, 'Check the model and the options in the settings.', 400);
    if (status === 503) return new OllamaError('overloaded', `Ollama is busy: ${message}`, 'Wait and retry, or lower the concurrency setting.', 503, true);
    if (status === 499) return new OllamaError('cancelled', 'The request was cancelled.', 'Run the analysis again.', 499);
    return new OllamaError('server-error', `Ollama failed (${status}): ${message}`, 'Look at the Ollama server log, then retry.', status, status >= 500);
  }
  if (err instanceof Error) {
    if (err.name === 'AbortError' || err.name === 'TimeoutError') {
      return new OllamaError('cancelled', 'The request was cancelled.', 'Run the analysis again.');
    }
    const code = causeCode(err);
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
      return notRunning(ctx, code);
    }
    if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE' || err.message === 'terminated') {
      return new OllamaError('connection-reset', `The connection to Ollama at ${ctx.host} was reset.`, 'Check that Ollama is still running, then retry.', undefined, true);
    }
    if (err instanceof TypeError && /fetch failed/i.test(err.message)) {
      return notRunning(ctx, code);
    }
    // A JSON reply (not a stream) that does not parse: cut short, or not from Ollama.
    if (err instanceof SyntaxError) {
      return new OllamaError('malformed-stream', `Ollama at ${ctx.host} sent a malformed reply (${err.message}).`, 'Check that the host is an Ollama server (and no proxy rewrites its replies), then retry.', undefined, true);
    }
    return new OllamaError('unknown', `Unexpected failure talking to Ollama: ${err.message}`, 'Retry; if it persists, report it with the Ollama server log.');
  }
  return new OllamaError('unknown', `Unexpected failure: ${String(err)}`, 'Retry; if it persists, report it with the Ollama server log.');
}

/** Compares dotted versions numerically; a pre-release suffix is ignored. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => v.replace(/^v/, '').split(/[-+]/)[0]!.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

export function supportsLogprobs(version: string): boolean {
  return compareVersions(version, MIN_LOGPROBS_VERSION) >= 0;
}

/**
 * Whether a server of this version sends logprobs: builds from source report "0.0.0" (and some
 * forks report nothing usable), so their support is `unknown` and has to be probed with a request.
 */
export function logprobsSupport(version: string | undefined): 'yes' | 'no' | 'unknown' {
  if (!version || !/^v?\d+\.\d+/.test(version) || compareVersions(version, '0.0.0') === 0) return 'unknown';
  return supportsLogprobs(version) ? 'yes' : 'no';
}

/**
 * What failed in a pull, from the error Ollama streams or returns (`pull model manifest: file does
 * not exist`; `… dial tcp: lookup registry.ollama.ai: no such host`). Undefined for failures that
 * are not the pull's own (Ollama down, a broken connection): classifyError names those.
 */
export function pullError(err: unknown, model: string): OllamaError | undefined {
  if (!(err instanceof Error) || causeCode(err) !== undefined) return undefined;
  const message = ((err as { error?: unknown }).error ?? err.message ?? '').toString();
  if (/file does not exist|manifest unknown|not found|404/i.test(message)) {
    return new OllamaError('model-not-found', `The Ollama library has no model '${model}' (${message}).`, 'Check the name and tag at ollama.com/library (e.g. gemma3:270m or qwen2.5:0.5b), then pull again.', 404);
  }
  if (/no such host|dial tcp|i\/o timeout|connection refused|network is unreachable|TLS handshake|x509|proxyconnect|EOF/i.test(message)) {
    return new OllamaError('pull-failed', `Ollama could not reach its model registry to pull '${model}' (${message}).`, 'Check the internet connection of the machine running Ollama (or the proxy it uses), then pull again.', undefined, false);
  }
  if (/disk|no space/i.test(message)) {
    return new OllamaError('pull-failed', `Pulling '${model}' failed: ${message}.`, 'Free disk space where Ollama keeps its models (OLLAMA_MODELS), then pull again.', undefined, false);
  }
  return hasStatus(err) ? undefined : new OllamaError('pull-failed', `Pulling '${model}' failed: ${message}.`, 'Look at the Ollama server log, then pull again.', undefined, false);
}
