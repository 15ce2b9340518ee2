/**
 * Ollama TEST DOUBLE — the prompt the runner evaluates: the rendered text cut to the context
 * window (num_ctx, in the toy tokenizer's tokens) as each profile does, or its refusal.
 */
import type { ProfileName } from './types';
import { tokenize } from './tokenizer';

export type Evaluated = { rendered: string; tokens: string[]; truncated: boolean } | { error: string };

export function fitToContext(rendered: string, numCtx: number, numKeep: number, truncate: boolean, profile: ProfileName): Evaluated {
  const tokens = tokenize(rendered);
  if (tokens.length <= numCtx) return { rendered, tokens, truncated: false };
  if (!truncate) {
    return {
      error: profile === 'go'
        ? 'the input length exceeds the context length'
        : `request (${tokens.length} tokens) exceeds the available context size (${numCtx} tokens), try increasing it`,
    };
  }
  // Go runners keep exactly num_ctx tokens; Ollama ≥ 0.30 cuts to num_ctx − max((num_ctx − num_keep)/2, 1).
  const keepTotal = profile === 'go' ? numCtx : numCtx - Math.max(Math.floor((numCtx - numKeep) / 2), 1);
  const head = Math.min(numKeep, keepTotal);
  const kept = [...tokens.slice(0, head), ...tokens.slice(tokens.length - (keepTotal - head))];
  return { rendered: kept.join(''), tokens: kept, truncated: true };
}
