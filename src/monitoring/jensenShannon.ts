/**
 * Jensen–Shannon distance between two count (or share) vectors, as scipy's
 * `spatial.distance.jensenshannon(p, q, base)`: both normalised to sum 1,
 * m = (p+q)/2, sqrt((KL(p‖m) + KL(q‖m)) / 2), logs in `base`. Empty bins need
 * no smoothing (0·ln 0 = 0). mlledger reports base 2, bounded by [0, 1].
 */
export function jensenShannonDistance(p: readonly number[], q: readonly number[], base = 2): number | null {
  const sp = p.reduce((s, x) => s + x, 0);
  const sq = q.reduce((s, x) => s + x, 0);
  if (sp <= 0 || sq <= 0) return null;
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] / sp;
    const b = q[i] / sq;
    const m = (a + b) / 2;
    if (a > 0) divergence += a * Math.log(a / m);
    if (b > 0) divergence += b * Math.log(b / m);
  }
  return Math.sqrt(Math.max(0, divergence / 2) / Math.log(base));
}
