/**
 * Ollama TEST DOUBLE — ground truth, written independently of the server code.
 *
 * groundTruth(model, prompt, answer) = Σ over every token sequence whose
 * concatenation is exactly `answer` of Π step probabilities, each step's
 * distribution being the script lookup for prompt + text so far, normalised.
 * The EOS token never spells text. With {terminated:true} each path is also
 * multiplied by P(terminator) at prompt + answer (a token starting with "\n",
 * or EOS), and paths whose last token crosses the end of the answer into a
 * "\n" (token = rest-of-answer + "\n…") are counted too.
 */
import type { ScriptedModel, TokenDist } from './types';

export function groundTruth(
  model: ScriptedModel,
  prompt: string,
  answer: string,
  opts?: { terminated?: boolean },
): number {
  const terminated = opts?.terminated === true;
  const eos = model.eosToken ?? '';
  const fallback: TokenDist = model.fallback ?? [
    { token: '\n', prob: 0.9 },
    { token: eos, prob: 0.1 },
  ];

  function distAt(text: string): Array<[string, number]> {
    let best: { prompt: string; nodes: Record<string, TokenDist> } | undefined;
    for (const e of model.script) {
      if (text.startsWith(e.prompt) && (best === undefined || e.prompt.length > best.prompt.length)) best = e;
    }
    let raw = fallback;
    if (best) {
      const ctx = text.slice(best.prompt.length);
      if (Object.prototype.hasOwnProperty.call(best.nodes, ctx)) raw = best.nodes[ctx] ?? fallback;
    }
    const sums = new Map<string, number>();
    let total = 0;
    for (const { token, prob } of raw) {
      if (!(prob > 0)) continue;
      sums.set(token, (sums.get(token) ?? 0) + prob);
      total += prob;
    }
    return [...sums].map(([t, p]) => [t, p / total]);
  }

  const memo = new Map<number, number>();
  // f(pos) = probability of spelling answer[pos:] (then terminating, if asked) from prompt + answer[:pos].
  function f(pos: number): number {
    const cached = memo.get(pos);
    if (cached !== undefined) return cached;
    const rest = answer.slice(pos);
    let sum = 0;
    if (rest === '' && !terminated) {
      sum = 1;
    } else {
      for (const [tok, p] of distAt(prompt + answer.slice(0, pos))) {
        if (tok === eos) {
          if (terminated && rest === '') sum += p;
          continue;
        }
        if (tok === '') continue;
        if (rest.length >= tok.length && rest.startsWith(tok)) {
          sum += p * f(pos + tok.length);
        } else if (terminated && tok.startsWith(rest + '\n')) {
          sum += p;
        }
      }
    }
    memo.set(pos, sum);
    return sum;
  }
  return f(0);
}
