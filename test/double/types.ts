/**
 * Ollama TEST DOUBLE — shared types.
 *
 * This is a test double, not Ollama and not a model: it serves scripted
 * next-token distributions over Ollama's HTTP API. It imports nothing from
 * `src/` so that it can act as independent ground truth.
 */

/** A next-token distribution. Probabilities need not sum to 1: the double normalises them. */
export type TokenDist = Array<{ token: string; prob: number }>;

/**
 * One scripted prompt. `nodes` is keyed by the continuation text after `prompt`
 * (`""` = right after the prompt); each value is the next-token distribution there.
 */
export interface ScriptEntry {
  prompt: string;
  nodes: Record<string, TokenDist>;
}

export interface ScriptedModel {
  /** Served name; the double makes sure it contains "double" (prefix "double-" otherwise) and adds ":latest" if no tag. */
  name: string;
  /** sha256 hex; derived from the served name when absent. */
  digest?: string;
  family?: string;
  parameterSize?: string;
  /** Default ['completion']. Add 'thinking' to emulate a thinking model, 'insert' for suffix support. */
  capabilities?: string[];
  /** Text of the end-of-sequence token as it appears in top_logprobs. Default "" (an entry without `bytes`). */
  eosToken?: string;
  script: ScriptEntry[];
  /** Used when no node matches. Default [{token:"\n",prob:0.9},{token:<eosToken>,prob:0.1}]. */
  fallback?: TokenDist;
  /**
   * Modelfile PARAMETERs (e.g. {temperature: 0.2, stop: ["\n"]}). As in Ollama they are merged
   * under the request's `options` (the request wins), raw mode included. Default none.
   */
  parameters?: Record<string, number | string | boolean | string[]>;
}

export type Fault =
  /** Destroy the socket at once (the client sees a connection reset / "fetch failed"). */
  | { kind: 'refuse'; count?: number; path?: string }
  /** Answer with this status and {"error": …} (default message per status). */
  | { kind: 'status'; status: number; error?: string; count?: number; path?: string }
  /** 200 stream, then a {"error":"…"} line after `afterChunks` lines (A.9). With nothing written yet, Ollama answers 500 JSON instead. */
  | { kind: 'errorMidStream'; afterChunks: number; error?: string; count?: number; path?: string }
  /** Stop sending after `afterChunks` lines; keep the socket open. */
  | { kind: 'stall'; afterChunks: number; count?: number; path?: string }
  /** Delay the first byte of the response by `delayMs` (on top of latencyMs). */
  | { kind: 'slowFirstByte'; delayMs: number; count?: number; path?: string }
  /** Insert a line that is not JSON after `afterChunks` lines, then carry on. */
  | { kind: 'malformedLine'; afterChunks: number; count?: number; path?: string }
  /** Destroy the socket after `afterChunks` lines. */
  | { kind: 'reset'; afterChunks: number; count?: number; path?: string };

export interface DoubleOptions {
  models: ScriptedModel[];
  /** Reported by /api/version. Default "0.13.0". */
  version?: string;
  /** 0 = random free port (default). */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Spent before the first byte of every /api/generate, while holding a slot. */
  latencyMs?: number;
  /** Spent before every sampled token. */
  tokenLatencyMs?: number;
  /** Concurrent generate slots (OLLAMA_NUM_PARALLEL). Default 1. */
  parallel?: number;
  /** Waiting requests allowed beyond the slots (OLLAMA_MAX_QUEUE). Default 512; beyond → 503. */
  maxQueue?: number;
  /** Models /api/pull can "download". */
  pullable?: ScriptedModel[];
  log?: (line: string) => void;
  /**
   * Round logprobs to float32 as the Go runners do (default true). Set false to get the exact
   * float64 ln(p) of the script, for tests that want bit-exact comparisons.
   */
  float32Logprobs?: boolean;
  /** Token cap for num_predict ≤ 0 / absent (default 256). */
  maxTokens?: number;
}

export interface DoubleCounters {
  /** Every HTTP request, faults and 404s included. */
  requests: number;
  /** POST /api/generate requests. */
  generate: number;
  byPath: Record<string, number>;
  /** Generate requests by served model name (or the raw name when it did not resolve). */
  byModel: Record<string, number>;
  /** Most generate requests holding a slot at once. */
  maxConcurrent: number;
  /** Sampling steps (EOS included), i.e. the sum of eval_count. */
  tokens: number;
  /** Model loads (first use, after expiry or after a runner-option change such as num_ctx). */
  loads: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  /** Parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
}

export interface OllamaDouble {
  url: string;
  port: number;
  /** Stops listening and drops every connection. Afterwards the port refuses connections. */
  close(): Promise<void>;
  /** Like close() but keeps all state; `resume()` listens again on the same port. */
  suspend(): Promise<void>;
  resume(): Promise<void>;
  counters: DoubleCounters;
  requests: LoggedRequest[];
  /** Resets counters and clears the request log. */
  resetCounters(): void;
  /** Queue a fault; each matching request (path, default /api/generate) consumes the first matching fault on arrival. */
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Pending (unconsumed) faults. */
  readonly faults: ReadonlyArray<Fault>;
  addModel(m: ScriptedModel): void;
  removeModel(name: string): void;
  /** Served names, e.g. ["double-superposed:latest"]. */
  modelNames(): string[];
  /** Exact P(answer | prompt) under a served model (see groundTruth). */
  truth(model: string, prompt: string, answer: string, opts?: { terminated?: boolean }): number;
}
