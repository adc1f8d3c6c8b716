import type { CategoricalFeatureProfile, NumericFeatureProfile } from '../events/monitoringEvents.ts';
import { categoricalValue, numericBin, numericValue } from './featureBinning.ts';
import { distinctSorted, quantileSorted } from './quantiles.ts';

/** At most this many distinct values: one bin per value (exact KS/Wasserstein, PSI per value). */
export const DISCRETE_MAX_VALUES = 20;
export const DEFAULT_TOP_K = 20;
const FINE_QUANTILES = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
const PSI_QUANTILES = Array.from({ length: 9 }, (_, i) => ((i + 1) * 10) / 100);
const REPORTED_QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];

/**
 * A numeric feature's reference profile from training values (null/NaN = missing).
 * Up to 20 distinct values: one bin per value. Otherwise fine edges at the reference
 * percentiles 1…99 and PSI edges at its deciles 10…90 (numpy quantiles, type 7,
 * repeated edges removed), bins closed on the left and open-ended at both sides.
 */
export function numericProfileFromValues(name: string, values: readonly unknown[]): NumericFeatureProfile {
  const present = values.map(numericValue).filter((v): v is number => v !== undefined);
  const sorted = [...present].sort((a, b) => a - b);
  const distinct = distinctSorted(sorted);
  let edges: number[];
  let psiEdges: number[];
  if (distinct.length <= DISCRETE_MAX_VALUES) {
    edges = distinct;
    psiEdges = distinct;
  } else {
    edges = distinctSorted(FINE_QUANTILES.map((q) => quantileSorted(sorted, q)));
    psiEdges = distinctSorted(PSI_QUANTILES.map((q) => quantileSorted(sorted, q)));
  }
  const counts = new Array<number>(edges.length + 1).fill(0);
  const sums = new Array<number>(edges.length + 1).fill(0);
  for (const v of present) {
    const bin = numericBin(edges, v);
    counts[bin] += 1;
    sums[bin] += v;
  }
  return {
    name,
    kind: 'numeric',
    edges,
    counts,
    sums,
    psiEdges,
    missing: values.length - present.length,
    quantiles: sorted.length === 0 ? [] : REPORTED_QUANTILES.map((q) => ({ q, value: quantileSorted(sorted, q) })),
  };
}

/** A categorical feature's profile: the top K values by count (ties by value), the rest as "other". */
export function categoricalProfileFromValues(name: string, values: readonly unknown[], topK = DEFAULT_TOP_K): CategoricalFeatureProfile {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const raw of values) {
    const v = categoricalValue(raw);
    if (v === undefined) missing += 1;
    else counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const top = ranked.slice(0, topK);
  const otherCount = ranked.slice(topK).reduce((s, [, c]) => s + c, 0);
  return { name, kind: 'categorical', categories: top.map(([value, count]) => ({ value, count })), otherCount, missing };
}
