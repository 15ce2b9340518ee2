import type { OllamaClient, NextTokenReply } from '../ollama/client';
import type { RequestScheduler } from '../ollama/scheduler';
import type { TokenLogprob } from '../ollama/types';

/** Where estimators get next-token alternatives: "what follows prompt + prefix?". */
export interface NextTokenSource {
  next(prefix: string, signal?: AbortSignal): Promise<NextTokenReply>;
  /** Number of requests actually sent (memoised look-ups are free). */
  readonly requests: number;
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
  return {
    get requests() {
      return requests;
    },
    next(prefix, signal) {
      const cached = memo.get(prefix);
      if (cached) return cached;
      const text = prompt + prefix;
      const promise = scheduler.run(text, () => {
        requests++;
        return client.nextTokens(model, text, MAX_TOP_LOGPROBS, signal, keepAlive);
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

const EOS_PIECES = new Set(['</s>', '<|eot_id|>', '<|endoftext|>', '<|im_end|>', '<eos>', '<|end|>', '<end_of_turn>', '<|end_of_text|>', '<|eom_id|>']);

/** End of sequence: the empty piece (as llama-server reports it) or a well-known EOS marker. */
export function isEndOfSequence(entry: TokenLogprob): boolean {
  return (entry.token === '' && (!entry.bytes || entry.bytes.length === 0)) || EOS_PIECES.has(entry.token);
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
