/**
 * Ollama TEST DOUBLE — shared types.
 *
 * This is a test double, not Ollama and not a model: it serves scripted
 * next-token distributions over Ollama's HTTP API. It imports nothing from
 * `src/` so that it can act as independent ground truth.
 */

/**
 * One token of a scripted distribution.
 * - `token` is its text (UTF-8). `""` is the model's end-of-sequence token; a text equal to the
 *   model's `eosToken`, one of its `endTokens` or `controlTokens` is that control token.
 * - `bytes` (with `token: ""`) makes it a raw byte piece instead, e.g. `{ token: '', bytes: [0xE6, 0x97], prob }`
 *   for the first two bytes of "日" (see `bytePiece`). Byte pieces may hold partial UTF-8.
 * Entries are distinct tokens even when their texts are equal (a real vocabulary has `<0x0A>` and
 * "\n"): they are never merged.
 */
export interface TokenSpec {
  token: string;
  prob: number;
  bytes?: number[];
}

/** A next-token distribution. Probabilities need not sum to 1: the double normalises them. */
export type TokenDist = TokenSpec[];

/**
 * One scripted prompt. `nodes` is keyed by the continuation text after `prompt`
 * (`""` = right after the prompt); each value is the next-token distribution there.
 * `byteNodes` key a continuation by its raw bytes instead (needed when it ends inside a UTF-8
 * character, e.g. after the byte piece E6 97).
 */
export interface ScriptEntry {
  prompt: string;
  nodes: Record<string, TokenDist>;
  byteNodes?: Array<{ ctx: number[]; dist: TokenDist }>;
}

/**
 * The server generations the double emulates (see README "Profiles"):
 * - `go`: Ollama < 0.30, the Go runners (ollamarunner / llamarunner);
 * - `llama-server`: Ollama ≥ 0.30, upstream llama-server behind Ollama.
 */
export type ProfileName = 'go' | 'llama-server';

/**
 * The vocabulary beyond the scripted tokens: `size` filler tokens of probability `tokenProb` each
 * (their total is taken from the scripted mass), so top lists always have `top_logprobs` entries
 * and the unseen mass is never exactly 0, as with a real vocabulary. Filler texts start with
 * U+E000 (private use) and never spell an answer. Default {size: 32768, tokenProb: 1e-8}
 * (total 3.3e-4); `size: 0` turns the tail off (lists may then be shorter than asked).
 */
export interface VocabularyTail {
  size?: number;
  tokenProb?: number;
}

/**
 * D5: the real server re-tokenizes prompt + prefix as text, so a state reached by a non-canonical
 * token path (e.g. "8"+"1" where the tokenizer writes "81") continues differently from the
 * canonical one. With this option the double's generation follows token paths: the canonical
 * path (the toy tokenizer's split of the text) uses the scripted node; any other path uses
 * `nodes[ctx]` when given, else the scripted node perturbed per path (weights × exp(strength·z),
 * z ~ N(0,1) seeded by the path). 1-token requests always start canonical, as on a real server.
 */
export interface TokenizerAwareOptions {
  /** Default 0.5. */
  strength?: number;
  /** Distributions for non-canonical states, keyed like `ScriptEntry.nodes` (first script entry's prompt). */
  nodes?: Record<string, TokenDist>;
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
  /**
   * Literal text of the end-of-sequence control token, as Go runners print it (`<eos>`,
   * `<|eot_id|>`, `</s>` …). Default "<eos>"; "" also means the default. Scripts may write the
   * EOS as `""` or as this text. On llama-server (≥ 0.30) it is sent as `""` without bytes.
   */
  eosToken?: string;
  /** Further end-of-generation control tokens (e.g. "<end_of_turn>"): they end generation like EOS. */
  endTokens?: string[];
  /** Control tokens that do not end generation (e.g. "<start_of_turn>", "<|im_start|>"): never answer text. */
  controlTokens?: string[];
  /** The vocabulary tail (filler tokens); see VocabularyTail. */
  vocabulary?: VocabularyTail;
  /** D5 mode: generation conditions on token paths, not only on text. */
  tokenizerAware?: boolean | TokenizerAwareOptions;
  script: ScriptEntry[];
  /**
   * Scripts prompts on demand (the demo: any prompt a user writes). Called with the request text
   * when no script entry covers it — none of their prompts is a prefix of the text, or the
   * longest one is followed by another line. The entry returned (its prompt a prefix of the
   * text) is compiled and kept, the latest 256 per model; `undefined` leaves the fallback.
   */
  scriptFor?: (text: string) => ScriptEntry | undefined;
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
  /** Reported by /api/version. Default "0.13.0". Also chooses the profile (< 0.30 → go, else llama-server). */
  version?: string;
  /** Overrides the profile chosen by `version` (e.g. a source build reporting "0.0.0" on llama-server). */
  profile?: ProfileName;
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
  /**
   * Reported cost of evaluating one prompt token that is not in the prompt cache, in ns (default
   * 20 000). Each model has `parallel` cache slots; a request takes the free slot with the longest
   * common token prefix and evaluates only the rest (at least one token), as Ollama's runner does
   * (see promptCache.ts). prompt_eval_duration = measured time + uncached tokens × this (only when
   * `uncachedTokenMs` is 0); prompt_eval_count counts the whole prompt.
   */
  promptTokenNs?: number;
  /**
   * The cost model's per-token term (default 0: off). A generate request then holds its slot for
   * latencyMs + uncachedTokenMs × (prompt tokens not served from the cache), really spent, and
   * prompt_eval_duration reports the measured time.
   */
  uncachedTokenMs?: number;
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
  /** Prompt tokens of the generate requests that were evaluated (the sum of prompt_eval_count). */
  promptTokens: number;
  /** Of those, the tokens served from a cache slot (cache-hit ratio = cachedPromptTokens / promptTokens). */
  cachedPromptTokens: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  /** Parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
}

export interface TruthOptions {
  terminated?: boolean;
  /**
   * `paths` (default): the model's own probability of generating the answer, token path by token
   * path. `text`: what a walk that re-sends prompt + prefix as text measures (every state
   * canonical). They differ only for tokenizer-aware models (D5).
   */
  conditioning?: 'paths' | 'text';
}

export interface OllamaDouble {
  url: string;
  port: number;
  /** The version /api/version reports. */
  readonly version: string;
  /** The profile in force (from the version unless overridden). */
  readonly profile: ProfileName;
  /** Stops listening and drops every connection. Afterwards the port refuses connections. */
  close(): Promise<void>;
  /** Like close() but keeps all state; `resume()` listens again on the same port. */
  suspend(): Promise<void>;
  resume(): Promise<void>;
  counters: DoubleCounters;
  requests: LoggedRequest[];
  /**
   * Busy slot time: slot-milliseconds held by generate requests (load requests included) in
   * [from, to], absolute epoch ms (`performance.timeOrigin + performance.now()`); default from the
   * last reset (`slotClockSince`) to now. Utilisation = slotBusyMs / (parallel × wall).
   */
  slotBusyMs(from?: number, to?: number): number;
  readonly slotClockSince: number;
  /** What each cache slot of a model holds (toy tokens), in slot order. */
  cachedPrompts(model: string): string[][];
  /** Resets counters, busy slot time and clears the request log (the caches stay). */
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
  truth(model: string, prompt: string, answer: string, opts?: TruthOptions): number;
}
