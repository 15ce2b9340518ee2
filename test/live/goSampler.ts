/**
 * The uniform draws of Ollama's Go sampler (v0.24.0 `sample/samplers.go`, Go's `math/rand/v2`),
 * reproduced for tests only: `NewSampler` seeds `rand.NewPCG(seed, seed ^ 0x9E3779B9)` per request
 * and each sampled token takes one `Float32()`. With these draws a live test predicts, seed by seed,
 * which token the server samples from the logprobs it reports — an exact check that no frequency
 * comparison can give with a fixed set of seeds.
 */
const MASK64 = (1n << 64n) - 1n;
const MUL = (2549297995355413924n << 64n) | 4865540595714422341n;
const INC = (6364136223846793005n << 64n) | 1442695040888963407n;
const CHEAP_MUL = 0xda942042e4dd58b5n;

/** Go's `rand.New(rand.NewPCG(seed, seed^0x9E3779B9))` as Ollama builds it, yielding `Float32()` draws as 24-bit integers. */
export function goSamplerDraws(seed: number): () => number {
  const s = BigInt.asUintN(64, BigInt(seed));
  let state = (s << 64n) | (s ^ 0x9e3779b9n);
  return () => {
    state = BigInt.asUintN(128, state * MUL + INC);
    let hi = state >> 64n;
    const lo = state & MASK64;
    hi ^= hi >> 32n;
    hi = (hi * CHEAP_MUL) & MASK64;
    hi ^= hi >> 48n;
    hi = (hi * (lo | 1n)) & MASK64;
    const u32 = hi >> 32n;
    return Number(u32 & 0xffffffn);
  };
}

/** The first uniform draw in [0, 1) of a request with this seed (the one that picks its first token). */
export function goFirstDraw(seed: number): number {
  return goSamplerDraws(seed)() / 2 ** 24;
}

export interface RankedToken {
  token: string;
  probability: number;
}

/**
 * The token Go's sampler picks for draw `r` from a distribution sorted by probability (its top-k
 * with k = 0 sorts all tokens): the first whose cumulative probability reaches r. Undefined when r
 * falls beyond the listed tokens' mass, or within `margin` of a boundary (float32 sums on the server).
 */
export function tokenAtDraw(ranked: readonly RankedToken[], r: number, margin: number): string | undefined {
  let cumulative = 0;
  for (const entry of ranked) {
    const next = cumulative + entry.probability;
    if (r < next) return r - cumulative < margin || next - r < margin ? undefined : entry.token;
    cumulative = next;
  }
  return undefined;
}
