import type { CategoricalFeatureProfile, NumericFeatureProfile } from '../events/monitoringEvents.ts';

/** Bin of x for edges e₀ < … < eₖ₋₁: the number of edges ≤ x (bins closed on the left; 0 is (−∞, e₀)). */
export function numericBin(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Category bins: one per profiled category, then "other" (unseen or beyond the top K). */
export function categoryBins(profile: CategoricalFeatureProfile): Map<string, number> {
  return new Map(profile.categories.map((c, i) => [c.value, i]));
}

export const otherBin = (profile: CategoricalFeatureProfile) => profile.categories.length;

/** Fine bin index → coarse (PSI) bin index; psiEdges must be a subset of edges. */
export function coarseBinMap(profile: NumericFeatureProfile): number[] {
  const map: number[] = [];
  for (let fine = 0; fine <= profile.edges.length; fine++) {
    // A fine bin starts at edges[fine − 1]; it lies in the coarse bin that starts at or before it.
    map.push(fine === 0 ? 0 : numericBin(profile.psiEdges, profile.edges[fine - 1]));
  }
  return map;
}

/** A feature value as the profile's kind sees it: numeric features take finite numbers, categorical ones anything as text; the rest is missing. */
export function numericValue(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function categoricalValue(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
  return String(value);
}
