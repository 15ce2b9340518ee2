/**
 * Ollama TEST DOUBLE — sampler, following the order of Ollama's Go sampler
 * (sample/samplers.go): temperature 0 → greedy; else top_k (k ≤ 0 = whole
 * vocabulary) → temperature (p^(1/T), renormalised) → top_p (keep up to the
 * first token where the cumulative sum exceeds p; p ≥ 1 = no-op) → min_p
 * (drop tokens below min_p × max) → draw r·Σ on the cumulative sums.
 * Works on ranks (0 = most probable) over the scripted tokens and the vocabulary's
 * filler tokens, which are handled as one run of equal probabilities.
 */
import type { NormDist } from './model';

export interface SamplerOptions {
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
}

/** A run of `count` consecutive ranks from `start`, each of probability `p`. */
interface Run {
  start: number;
  count: number;
  p: number;
}

function runsOf(d: NormDist): Run[] {
  const runs: Run[] = [];
  let rank = 0;
  const scripted = (from: number, to: number): void => {
    for (let k = from; k < to; k++) runs.push({ start: rank++, count: 1, p: d.probs[d.order[k] as number] ?? 0 });
  };
  scripted(0, d.fillerRank);
  if (d.fillerCount > 0) {
    runs.push({ start: rank, count: d.fillerCount, p: d.fillerProb });
    rank += d.fillerCount;
  }
  scripted(d.fillerRank, d.order.length);
  return runs;
}

/** The sampled rank (see atRank). */
export function sampleRank(dist: NormDist, o: SamplerOptions, r: number): number {
  if (dist.order.length + dist.fillerCount === 0) throw new Error('ollama-double: empty distribution');
  if (!(o.temperature > 0)) return 0; // greedy (ties: script order)

  let runs = runsOf(dist);
  if (o.topK > 0) {
    let left = o.topK;
    const kept: Run[] = [];
    for (const run of runs) {
      if (left <= 0) break;
      kept.push({ ...run, count: Math.min(run.count, left) });
      left -= run.count;
    }
    runs = kept;
  }

  const invT = 1 / o.temperature;
  let ws = runs.map((run) => Math.pow(run.p, invT));
  let total = runs.reduce((s, run, i) => s + run.count * (ws[i] ?? 0), 0);
  if (!(total > 0) || !Number.isFinite(total)) return 0;
  ws = ws.map((w) => w / total);

  if (o.topP < 1) {
    let sum = 0;
    const kept: Run[] = [];
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i] as Run;
      const w = ws[i] ?? 0;
      if (sum + run.count * w > o.topP) {
        // Keep up to (and including) the unit where the cumulative sum first exceeds p.
        const m = w > 0 ? Math.min(run.count, Math.floor((o.topP - sum) / w) + 1) : run.count;
        kept.push({ ...run, count: m });
        break;
      }
      sum += run.count * w;
      kept.push(run);
    }
    runs = kept;
    ws = ws.slice(0, runs.length);
  }

  if (o.minP > 0) {
    const threshold = (ws[0] ?? 0) * o.minP;
    let keep = runs.length;
    for (let i = 0; i < runs.length; i++) {
      if ((ws[i] ?? 0) < threshold) {
        keep = i;
        break;
      }
    }
    keep = Math.max(1, keep);
    runs = runs.slice(0, keep);
    ws = ws.slice(0, keep);
  }

  total = runs.reduce((s, run, i) => s + run.count * (ws[i] ?? 0), 0);
  const target = r * total;
  let cum = 0;
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i] as Run;
    const w = ws[i] ?? 0;
    const mass = run.count * w;
    if (cum + mass >= target && w > 0) {
      const k = Math.min(run.count - 1, Math.max(0, Math.floor((target - cum) / w)));
      return run.start + k;
    }
    cum += mass;
  }
  const last = runs[runs.length - 1] as Run;
  return last.start + last.count - 1;
}
