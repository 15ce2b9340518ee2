/** Two-sided 95% normal quantile. */
export const Z95 = 1.959963984540054;

/** Wilson score interval for k successes in n trials (n = 0 gives [0, 1]). */
export function wilsonInterval(k: number, n: number, z = Z95): [number, number] {
  if (n <= 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [k <= 0 ? 0 : Math.max(0, centre - half), k >= n ? 1 : Math.min(1, centre + half)];
}

/** Mean and a 95% t-free normal interval of a sample (n = 1 gives a zero-width interval). */
export function meanInterval(values: readonly number[]): { mean: number; lower: number; upper: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, lower: Number.NaN, upper: Number.NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, lower: mean, upper: mean };
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  const half = Z95 * Math.sqrt(variance / n);
  return { mean, lower: mean - half, upper: mean + half };
}
