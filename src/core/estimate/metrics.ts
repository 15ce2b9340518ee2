/** KL(t ‖ p) = Σ t_i (ln t_i − ln p_i) over t_i > 0; Infinity when some p_i = 0 with t_i > 0. */
export function klDivergence(target: readonly number[], probs: readonly number[]): number {
  let sum = 0;
  target.forEach((t, i) => {
    if (t <= 0) return;
    const p = probs[i] ?? 0;
    if (p <= 0) {
      sum = Number.POSITIVE_INFINITY;
      return;
    }
    sum += t * (Math.log(t) - Math.log(p));
  });
  return sum;
}

/** The paper's KL: against the unnormalised answer probabilities (mass on "other" adds a penalty). */
export function klUnnormalised(target: readonly number[], probs: readonly number[]): number {
  return klDivergence(normalise(target), probs);
}

/** KL against the answer probabilities renormalised over the tasks. */
export function klNormalised(target: readonly number[], probs: readonly number[]): number {
  return klDivergence(normalise(target), normalise(probs));
}

export function normalise(values: readonly number[]): number[] {
  const sum = values.reduce((a, b) => a + Math.max(0, b), 0);
  return sum > 0 ? values.map((v) => Math.max(0, v) / sum) : values.map(() => 0);
}

/** Shannon entropy (nats) of the task answers plus "other". */
export function entropy(probs: readonly number[]): number {
  const other = Math.max(0, 1 - probs.reduce((a, b) => a + b, 0));
  return [...probs, other].reduce((h, p) => (p > 0 ? h - p * Math.log(p) : h), 0);
}

/**
 * The paper's r (§7): how many tasks have an answer among the K most probable completions. As
 * in the paper's code, a task counts when its probability — the enumerated value when beam search
 * found its answer, else its teacher-forced value — is at least the K-th completion's minus 1e-5.
 */
export function countInTopK(
  answers: readonly { answer: string; fallback?: number }[],
  completions: readonly { text: string; probability: number }[],
  k: number,
): number {
  if (k < 1) return 0;
  const sorted = [...completions].sort((a, b) => b.probability - a.probability);
  const kth = sorted.length >= k ? sorted[k - 1]!.probability : 0;
  let r = 0;
  for (const { answer, fallback } of answers) {
    const enumerated = completions.find((c) => c.text === answer)?.probability;
    const p = enumerated ?? fallback ?? 0;
    if (p > 0 && p >= kth - 1e-5) r++;
  }
  return r;
}

/** Task proportions from example counts, the paper's way (realised count fractions). */
export function mixtureCounts(fractions: readonly number[], total: number): number[] {
  const raw = fractions.map((f) => f * total);
  const counts = raw.map((r) => Math.floor(r + 1e-9));
  let shortfall = total - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; shortfall > 0 && i < counts.length; i++) {
    if (Math.abs(raw[i]! - Math.round(raw[i]!)) > 1e-9) {
      counts[i]!++;
      shortfall--;
    }
  }
  for (let i = 0; shortfall > 0 && counts.length > 0; i = (i + 1) % counts.length) {
    counts[i]!++;
    shortfall--;
  }
  return counts;
}
