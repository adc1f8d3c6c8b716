/**
 * The exact one-sided Kolmogorov–Smirnov tail P(D⁺ₙ ≥ x) (scipy.special.smirnov),
 * by the Birnbaum–Tingey sum
 *   x · Σ_{j=0}^{⌊n(1−x)⌋} C(n, j) (1 − x − j/n)^(n−j) (x + j/n)^(j−1),
 * each term in logs; ln C(n, j) is accumulated term by term (more exact than ln Γ for large n).
 */
export function smirnovSurvival(n: number, x: number): number {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  const last = Math.floor(n * (1 - x) + 1e-12);
  let logChoose = 0;
  let sum = 0;
  for (let j = 0; j <= last; j++) {
    if (j > 0) logChoose += Math.log((n - j + 1) / j);
    const low = 1 - x - j / n;
    const high = x + j / n;
    if (low <= 0) {
      // Only the j = n(1−x) term, where 0^0 = 1.
      if (n - j === 0) sum += Math.exp(logChoose + (j - 1) * Math.log(high));
      continue;
    }
    sum += Math.exp(logChoose + (n - j) * Math.log(low) + (j - 1) * Math.log(high));
  }
  return Math.min(1, Math.max(0, x * sum));
}
