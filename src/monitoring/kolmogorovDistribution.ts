import { smirnovSurvival } from './smirnov.ts';

/**
 * P(Dₙ ≥ x) for the two-sided one-sample Kolmogorov–Smirnov statistic with n
 * observations: scipy's `stats.kstwo.sf(x, n)`, which is what `ks_2samp` uses in
 * its asymptotic mode with n = round(n₁n₂/(n₁+n₂)). Same case split as scipy
 * (Simard & L'Ecuyer 2011): Ruben–Gambino closed forms at the extremes, 2·smirnov
 * where the two one-sided tails cannot overlap or the tail is small, the Durbin
 * matrix (Marsaglia–Tsang–Wang) where it is small, Pelz–Good otherwise. Where scipy
 * uses Pomeranz's recursion (n ≤ 140, 0.754693 < nx² ≤ 4) the Durbin matrix is used:
 * both are exact.
 */
export function kolmogorovSurvival(n: number, x: number): number {
  if (!(n > 0) || !Number.isInteger(n)) return Number.NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    const cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n);
  if (x >= 0.5) return clip(2 * smirnovSurvival(n, x));
  const nxx = t * x;
  if (n <= 140) {
    if (nxx <= 4) return clip(1 - durbinCdf(n, x));
    return clip(2 * smirnovSurvival(n, x));
  }
  if (nxx >= 370) return 0;
  if (nxx >= 2.2) return clip(2 * smirnovSurvival(n, x));
  if (n <= 100_000 && n * x ** 1.5 <= 1.4) return clip(1 - durbinCdf(n, x));
  return clip(1 - pelzGoodCdf(n, x));
}

const clip = (p: number) => Math.min(1, Math.max(0, p));

/** ln(n!/nⁿ): exact product for small n, Stirling's series beyond (error < 1e-16). */
function logFactorialOverPower(n: number): number {
  if (n <= 140) {
    let s = 0;
    for (let i = 1; i <= n; i++) s += Math.log(i / n);
    return s;
  }
  const r = 1 / n;
  return 0.5 * Math.log(2 * Math.PI * n) - n + r * (1 / 12 - (r * r) * (1 / 360 - (r * r) * (1 / 1260 - (r * r) / 1680)));
}

const SCALE_BITS = 128;
const SCALE = 2 ** SCALE_BITS;

/**
 * P(Dₙ < d) by Durbin's matrix: write n·d = k − h (k integer, 0 ≤ h < 1), build the
 * (2k−1)² matrix H, and take n!/nⁿ · (Hⁿ)[k−1][k−1]. Powers are rescaled by 2^128
 * as they grow, with the exponent kept aside.
 */
function durbinCdf(n: number, d: number): number {
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const H = new Float64Array(m * m);
  const invFactorial = new Float64Array(m + 1);
  invFactorial[0] = 1;
  for (let j = 1; j <= m; j++) invFactorial[j] = invFactorial[j - 1] / j;
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i - j + 1 >= 0) H[i * m + j] = invFactorial[i - j + 1];
  for (let i = 0; i < m; i++) {
    H[i * m] = (1 - h ** (i + 1)) * invFactorial[i + 1];
    H[(m - 1) * m + (m - 1 - i)] = H[i * m];
  }
  H[(m - 1) * m] = (1 - 2 * h ** m + Math.max(0, 2 * h - 1) ** m) * invFactorial[m];

  let power: Float64Array<ArrayBuffer> | undefined;
  let powerExp = 0;
  let base: Float64Array<ArrayBuffer> = H;
  let baseExp = 0;
  for (let e = n; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) {
      power = power ? multiply(power, base, m) : base.slice();
      powerExp += baseExp;
    }
    if (e > 1) {
      base = multiply(base, base, m);
      baseExp *= 2;
      if (Math.abs(base[(k - 1) * m + (k - 1)]) > SCALE) {
        for (let i = 0; i < base.length; i++) base[i] /= SCALE;
        baseExp += SCALE_BITS;
      }
    }
  }
  let p = (power as Float64Array)[(k - 1) * m + (k - 1)];
  for (let i = 1; i <= n; i++) {
    p = (p * i) / n;
    if (Math.abs(p) < 1 / SCALE) {
      p *= SCALE;
      powerExp -= SCALE_BITS;
    }
  }
  return clip(p * 2 ** powerExp);
}

function multiply(a: Float64Array, b: Float64Array, m: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < m; l++) {
      const ail = a[i * m + l];
      if (ail === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j] += ail * b[l * m + j];
    }
  }
  return out;
}

/**
 * Pelz & Good (1976): P(Dₙ ≤ x) ≈ K₀(z) + K₁(z)/√n + K₂(z)/n + K₃(z)/n^1.5 with
 * z = x√n, each Kᵢ written as theta-function sums that converge fast for small z.
 */
function pelzGoodCdf(n: number, x: number): number {
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const logQ = -(Math.PI ** 2) / 8 / z2;
  if (logQ < -708) return 0;
  const q = Math.exp(logQ);
  const pi2 = Math.PI ** 2;
  const pi4 = pi2 * pi2;
  const pi6 = pi4 * pi2;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const z8 = z4 * z4;
  const maxK = Math.ceil((16 * z) / Math.PI);
  const sums = [0, 0, 0, 0];
  for (let k = 1; k <= maxK; k++) {
    const odd2 = (2 * k - 1) ** 2;
    const weight = q ** odd2;
    sums[0] += weight;
    sums[1] += ((pi2 * odd2) / 4 - z2) * weight;
    sums[2] += (6 * z6 + 2 * z4 + ((2 * z4 - 5 * z2) * pi2 * odd2) / 4 + (pi4 * (1 - 2 * z2) * odd2 * odd2) / 16) * weight;
    sums[3] +=
      (-30 * z6 - 90 * z8 + (pi2 * (135 * z4 - 96 * z6) * odd2) / 4 + (pi4 * (212 * z4 - 60 * z2) * odd2 * odd2) / 16 + (pi6 * (5 - 30 * z2) * odd2 ** 3) / 64) *
      weight;
  }
  const root2pi = Math.sqrt(2 * Math.PI);
  const k0 = (root2pi / z) * sums[0];
  const k1 = (root2pi / (6 * z4)) * sums[1];
  let k2 = (root2pi / (72 * z ** 7)) * sums[2];
  let k3 = (root2pi / (6480 * z ** 10)) * sums[3];
  const q2 = Math.exp(-pi2 / 2 / z2);
  let extra2 = 0;
  let extra3 = 0;
  for (let k = 1; k <= maxK; k++) {
    const kk = k * k;
    const weight = q2 ** kk;
    extra2 += kk * weight;
    extra3 += (3 * z2 - pi2 * kk) * kk * weight;
  }
  k2 += (-pi2 * root2pi * extra2) / (36 * z2 * z);
  k3 += (pi2 * root2pi * extra3) / (216 * z6);
  return clip(k0 + k1 / Math.sqrt(n) + k2 / n + k3 / n ** 1.5);
}
