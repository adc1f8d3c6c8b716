import { kolmogorovSurvival } from './kolmogorovDistribution.ts';

export interface KsResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymp';
}

/** scipy's ks_2samp switches from exact to asymptotic above this many rows in either sample. */
export const KS_MAX_EXACT_N = 10_000;

/**
 * Two-sample Kolmogorov–Smirnov on counts over one ordered support (cell i holds
 * the values at or below cutᵢ, above cutᵢ₋₁): D = max |F₁ − F₂| after each cell,
 * as scipy's ks_2samp evaluates at every data value with `≤`. With one cell per
 * distinct value this is ks_2samp exactly; on coarser bins D can only be smaller.
 * p-value: scipy's method="auto" (exact if max(n₁, n₂) ≤ 10 000, else
 * kstwo.sf(D, round(n₁n₂/(n₁+n₂)))).
 */
export function ksTwoSampleFromCounts(first: readonly number[], second: readonly number[]): KsResult | null {
  const n1 = first.reduce((s, x) => s + x, 0);
  const n2 = second.reduce((s, x) => s + x, 0);
  if (n1 <= 0 || n2 <= 0) return null;
  let c1 = 0;
  let c2 = 0;
  let statistic = 0;
  for (let i = 0; i < first.length; i++) {
    c1 += first[i];
    c2 += second[i];
    statistic = Math.max(statistic, Math.abs(c1 / n1 - c2 / n2));
  }
  return ksPValue(statistic, n1, n2);
}

export function ksPValue(statistic: number, n1: number, n2: number): KsResult {
  if (Number.isInteger(n1) && Number.isInteger(n2) && Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = Math.round(statistic * lcm);
    const d = h / lcm;
    if (h === 0) return { statistic: d, pValue: 1, method: 'exact' };
    const p = n1 === n2 ? outsideSquare(n1, h) : outsideBand(n1, n2, g, h);
    if (p >= 0 && p <= 1) return { statistic: d, pValue: p, method: 'exact' };
  }
  const en = Math.round((n1 * n2) / (n1 + n2));
  return { statistic, pValue: Math.min(1, Math.max(0, kolmogorovSurvival(en, statistic))), method: 'asymp' };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Equal sizes: P(D ≥ h/n) = 2 Σ_{k≥1} (−1)^(k+1) C(2n, n−kh)/C(2n, n) (reflection
 * principle). Each ratio is a product of simple factors; the alternating sum is
 * added from its smallest term up.
 */
function outsideSquare(n: number, h: number): number {
  const ratios: number[] = [];
  let ratio = 1;
  for (let k = 1; k * h <= n; k++) {
    for (let j = (k - 1) * h; j < k * h; j++) ratio *= (n - j) / (n + j + 1);
    ratios.push(ratio);
  }
  let sum = 0;
  for (let k = ratios.length; k >= 1; k--) sum = ratios[k - 1] - sum;
  return 2 * sum;
}

/**
 * Unequal sizes: the share of the C(n₁+n₂, n₁) lattice paths that stay strictly
 * inside |i·n₂ − j·n₁| < h·g, by dynamic programming over path shares (each cell
 * holds the fraction of the paths reaching it that stayed inside, so nothing
 * overflows); the p-value is the rest.
 */
function outsideBand(n1: number, n2: number, g: number, h: number): number {
  const limit = h * g;
  let previous = new Float64Array(n2 + 1);
  let current = new Float64Array(n2 + 1);
  previous[0] = 1;
  for (let j = 1; j <= n2; j++) previous[j] = Math.abs(-j * n1) < limit ? previous[j - 1] : 0;
  for (let i = 1; i <= n1; i++) {
    current.fill(0);
    for (let j = 0; j <= n2; j++) {
      if (Math.abs(i * n2 - j * n1) >= limit) continue;
      // Of the C(i+j, i) paths into (i, j), C(i+j−1, i−1) come from the left and C(i+j−1, i) from below.
      const fromLeft = (previous[j] * i) / (i + j);
      const fromBelow = j > 0 ? (current[j - 1] * j) / (i + j) : 0;
      current[j] = fromLeft + fromBelow;
    }
    [previous, current] = [current, previous];
  }
  return 1 - previous[n2];
}
