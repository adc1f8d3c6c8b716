import type { FeatureProfile } from '../events/monitoringEvents.ts';
import { categoricalValue, categoryBins, numericBin, numericValue, otherBin } from './featureBinning.ts';

/** A feature's current counts in its reference profile's bins (fine bins for numeric features, top-K + other for categorical ones). */
export interface FeatureCounts {
  bins: number[];
  /** Numeric features: Σx per fine bin, so Wasserstein can place each bin's mass at its mean. */
  sums?: number[];
  missing: number;
}

/** Per bucket: rows binned against the version's reference profile, per profiled feature. */
export interface DriftSums {
  rows: number;
  features: Record<string, FeatureCounts>;
}

/** The pseudo-feature that profiles a model's own output: predicted class, or predicted value. */
export const PREDICTION_FEATURE = '__prediction';

export const emptyDriftSums = (): DriftSums => ({ rows: 0, features: {} });

export function emptyFeatureCounts(profile: FeatureProfile): FeatureCounts {
  if (profile.kind === 'numeric') return { bins: new Array<number>(profile.edges.length + 1).fill(0), sums: new Array<number>(profile.edges.length + 1).fill(0), missing: 0 };
  return { bins: new Array<number>(profile.categories.length + 1).fill(0), missing: 0 };
}

/** Bins one prediction's value of one feature. */
export function countFeatureValue(counts: FeatureCounts, profile: FeatureProfile, value: unknown, categoryIndex?: Map<string, number>): void {
  if (profile.kind === 'numeric') {
    const x = numericValue(value);
    if (x === undefined) {
      counts.missing += 1;
      return;
    }
    const bin = numericBin(profile.edges, x);
    counts.bins[bin] += 1;
    if (counts.sums) counts.sums[bin] += x;
    return;
  }
  const v = categoricalValue(value);
  if (v === undefined) {
    counts.missing += 1;
    return;
  }
  counts.bins[(categoryIndex ?? categoryBins(profile)).get(v) ?? otherBin(profile)] += 1;
}

export function mergeDriftInto(target: DriftSums, source: DriftSums): void {
  target.rows += source.rows;
  for (const [name, counts] of Object.entries(source.features)) {
    const into = target.features[name];
    if (!into) {
      target.features[name] = { bins: [...counts.bins], sums: counts.sums && [...counts.sums], missing: counts.missing };
      continue;
    }
    into.missing += counts.missing;
    for (let i = 0; i < counts.bins.length; i++) into.bins[i] = (into.bins[i] ?? 0) + counts.bins[i];
    if (counts.sums) {
      into.sums ??= new Array<number>(counts.sums.length).fill(0);
      for (let i = 0; i < counts.sums.length; i++) into.sums[i] += counts.sums[i];
    }
  }
}
