import { setMaxListeners } from 'node:events';
import type { OllamaClient, NextTokenReply } from '../ollama/client';
import type { RequestScheduler } from '../ollama/scheduler';
import type { TokenLogprob } from '../ollama/types';

/** Where estimators get next-token alternatives: "what follows prompt + prefix?". */
export interface NextTokenSource {
  next(prefix: string, signal?: AbortSignal): Promise<NextTokenReply>;
  /** Number of requests actually sent (memoised look-ups are free). */
  readonly requests: number;
  /** The largest prompt_eval_count seen (to detect prompts longer than the context). */
  readonly maxPromptTokens?: number;
}

export const MAX_TOP_LOGPROBS = 20;

/**
 * A NextTokenSource over Ollama: one raw 1-token request per distinct prefix, memoised, queued
 * through the scheduler so requests sharing a prompt prefix run back to back.
 */
export function ollamaTokenSource(
  client: OllamaClient,
  scheduler: RequestScheduler,
  model: string,
  prompt: string,
  keepAlive?: string | number,
): NextTokenSource {
  const memo = new Map<string, Promise<NextTokenReply>>();
  let requests = 0;
  let maxPromptTokens = 0;
  return {
    get requests() {
      return requests;
    },
    get maxPromptTokens() {
      return maxPromptTokens;
    },
    next(prefix, signal) {
      const cached = memo.get(prefix);
      if (cached) return cached;
      const text = prompt + prefix;
      const promise = scheduler.run(prompt, prefix, async () => {
        if (signal?.aborted) throw signal.reason;
        requests++;
        const reply = await client.nextTokens(model, text, MAX_TOP_LOGPROBS, signal, keepAlive);
        maxPromptTokens = Math.max(maxPromptTokens, reply.promptEvalCount ?? 0);
        return reply;
      });
      memo.set(prefix, promise);
      promise.catch(() => memo.delete(prefix));
      return promise;
    },
  };
}

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** The bytes of a token piece: Ollama's `bytes` when present (byte-fallback pieces), else its UTF-8. */
export function tokenBytes(entry: TokenLogprob): Uint8Array {
  return entry.bytes ? Uint8Array.from(entry.bytes) : utf8(entry.token);
}

const EOS_PIECES = new Set([
  '</s>', '<|eot_id|>', '<|endoftext|>', '<|im_end|>', '<eos>', '<|end|>', '<end_of_turn>', '<|end_of_text|>', '<|eom_id|>',
  '<｜end▁of▁sentence｜>', '<|return|>', '<|end_of_turn|>', '<|EOT|>',
]);

const REPLACEMENT = '\ufffd';

/**
 * What a top-list piece means for answer scoring, whatever the server's version line:
 * - `eos` ends the text: a well-known end token as Go runners (< 0.30) print it, or a Modelfile stop;
 * - `special` looks like a control token we cannot interpret (it may or may not end the text);
 * - `ambiguous` is `""` without bytes: on llama-server (≥ 0.30) that is end of text, *any* control
 *   token, or the lead bytes of a character split across tokens — never a certain terminator;
 * - `partial` holds U+FFFD: bytes of a split character that Ollama replaced before sending (Go: one
 *   U+FFFD per invalid byte; llama-server: continuation bytes). Only the text before the first
 *   U+FFFD is known (`knownPrefix`); what follows is one or more non-ASCII bytes we cannot see;
 * - `text` is ordinary text.
 */
export type PieceKind = 'eos' | 'special' | 'ambiguous' | 'partial' | 'text';

export function classifyPiece(entry: TokenLogprob, extraEos: ReadonlySet<string> = new Set()): PieceKind {
  if (entry.token === '' && (!entry.bytes || entry.bytes.length === 0)) return 'ambiguous';
  if (EOS_PIECES.has(entry.token) || extraEos.has(entry.token)) return 'eos';
  if (entry.token.includes(REPLACEMENT)) return 'partial';
  if (/^<[|｜\[]?[^<>\s]{0,60}[|｜\]]?>$/.test(entry.token) && /[|｜_\[\]/]|^<\/?[a-z]+>$/i.test(entry.token)) return 'special';
  return 'text';
}

/** The bytes of a `partial` piece before its first U+FFFD (the part Ollama did not replace). */
export function knownPrefix(entry: TokenLogprob): Uint8Array {
  return utf8(entry.token.slice(0, Math.max(0, entry.token.indexOf(REPLACEMENT))));
}

/** Could unseen bytes of a split character continue `target` at `offset`? (They are never ASCII.) */
export function continuesNonAscii(target: Uint8Array, offset: number): boolean {
  return offset < target.length && target[offset]! >= 0x80;
}

export function isEndOfSequence(entry: TokenLogprob, extraEos?: ReadonlySet<string>): boolean {
  return classifyPiece(entry, extraEos) === 'eos';
}

/** An AbortController that also aborts when `parent` does; abort it to stop a batch early. */
export function linkedAbort(parent?: AbortSignal): AbortController {
  const controller = new AbortController();
  // Every request in flight listens to it.
  setMaxListeners(0, controller.signal);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', () => controller.abort(parent.reason), { once: true });
  return controller;
}

export function startsWithBytes(haystack: Uint8Array, prefix: Uint8Array, offset = 0): boolean {
  if (offset + prefix.length > haystack.length) return false;
  for (let i = 0; i < prefix.length; i++) if (haystack[offset + i] !== prefix[i]) return false;
  return true;
}

export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** A Map key for a byte string. */
export function bytesKey(bytes: Uint8Array): string {
  let key = '';
  for (const b of bytes) key += String.fromCharCode(b);
  return key;
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/** The text of a byte prefix, or undefined when it ends inside a UTF-8 character (cannot be sent). */
export function decodeComplete(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}
