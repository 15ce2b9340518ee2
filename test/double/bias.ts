/**
 * Ollama TEST DOUBLE — D5: how far a text-conditioned walk (what a client measures by re-sending
 * prompt + prefix as text) is from the model's own probability, for a tokenizer-aware model.
 */
import { groundTruth } from './truth';
import type { ScriptedModel } from './types';

export interface TokenizerBias {
  /** The model's probability of generating the answer (token paths). */
  paths: number;
  /** What a teacher-forced walk over text converges to (every state canonical). */
  text: number;
  /** text − paths. */
  bias: number;
}

export function tokenizerBias(model: ScriptedModel, prompt: string, answer: string, opts?: { terminated?: boolean }): TokenizerBias {
  const paths = groundTruth(model, prompt, answer, { ...opts, conditioning: 'paths' });
  const text = groundTruth(model, prompt, answer, { ...opts, conditioning: 'text' });
  return { paths, text, bias: text - paths };
}
