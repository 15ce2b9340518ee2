/** Number formats and small statistics shared by the benchmark's report. */
/** The real-model figure (bench/results-real.md): Ollama 0.24.0 + Gemma 3 270M, one 4-task analysis. */
export const REAL_CACHE = '99.3 %';

export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const pct = (x: number, digits = 1) => `${(100 * x).toFixed(digits)} %`;
export const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
export const range = (xs: readonly number[]) => (xs.length > 1 ? ` (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})` : '');
