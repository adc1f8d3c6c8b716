/**
 * Population Stability Index, Σ (aᵢ − eᵢ)·ln(aᵢ/eᵢ) over bins, with e the reference
 * share and a the current share of each bin. An empty bin's share is replaced by
 * ε = 1e-4 on either side (Evidently's convention; shares are not renormalised),
 * so one empty bin does not make PSI infinite.
 */
export const PSI_EPSILON = 1e-4;

export function populationStabilityIndex(reference: readonly number[], current: readonly number[]): number | null {
  const sr = reference.reduce((s, x) => s + x, 0);
  const sc = current.reduce((s, x) => s + x, 0);
  if (sr <= 0 || sc <= 0) return null;
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const e = reference[i] / sr || PSI_EPSILON;
    const a = current[i] / sc || PSI_EPSILON;
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}
