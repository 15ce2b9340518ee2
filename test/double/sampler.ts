/**
 * Ollama TEST DOUBLE — sampler, following the order of Ollama's Go sampler
 * (sample/samplers.go): temperature 0 → greedy; else top_k (k ≤ 0 = whole
 * vocabulary) → temperature (p^(1/T), renormalised) → top_p (keep up to the
 * first token where the cumulative sum exceeds p; p ≥ 1 = no-op) → min_p
 * (drop tokens below min_p × max) → draw r·Σ on the cumulative sums.
 */
import type { NormDist } from './model';

export interface SamplerOptions {
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
}

export function sampleIndex(dist: NormDist, o: SamplerOptions, r: number): number {
  const first = dist.order[0];
  if (first === undefined) throw new Error('ollama-double: empty distribution');
  if (!(o.temperature > 0)) return first; // greedy (ties: script order)

  let cand = dist.order;
  if (o.topK > 0 && o.topK < cand.length) cand = cand.slice(0, o.topK);

  const invT = 1 / o.temperature;
  let weights = cand.map((i) => Math.pow(dist.probs[i] ?? 0, invT));
  let total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0) || !Number.isFinite(total)) return first;
  weights = weights.map((w) => w / total);

  if (o.topP < 1) {
    let sum = 0;
    let keep = weights.length;
    for (let i = 0; i < weights.length; i++) {
      sum += weights[i] ?? 0;
      if (sum > o.topP) {
        keep = i + 1;
        break;
      }
    }
    cand = cand.slice(0, keep);
    weights = weights.slice(0, keep);
  }

  if (o.minP > 0) {
    const threshold = (weights[0] ?? 0) * o.minP;
    let keep = weights.length;
    for (let i = 0; i < weights.length; i++) {
      if ((weights[i] ?? 0) < threshold) {
        keep = i;
        break;
      }
    }
    cand = cand.slice(0, Math.max(1, keep));
    weights = weights.slice(0, Math.max(1, keep));
  }

  total = weights.reduce((a, b) => a + b, 0);
  const target = r * total;
  let cum = 0;
  for (let i = 0; i < cand.length; i++) {
    cum += weights[i] ?? 0;
    if (cum >= target && (weights[i] ?? 0) > 0) return cand[i] ?? first;
  }
  return cand[cand.length - 1] ?? first;
}
