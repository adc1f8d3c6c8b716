import type { CategoricalFeatureProfile, FeatureProfile, NumericFeatureProfile } from '../events/monitoringEvents.ts';
import { chiSquareHomogeneity, type ChiSquareResult } from './chiSquare.ts';
import type { FeatureCounts } from './driftSums.ts';
import { coarseBinMap } from './featureBinning.ts';
import { jensenShannonDistance } from './jensenShannon.ts';
import { ksTwoSampleFromCounts, type KsResult } from './ksTwoSample.ts';
import { populationStabilityIndex } from './psi.ts';
import { wasserstein1 } from './wasserstein.ts';

/** Below this many current rows (or with an empty reference) no drift verdict is given. */
export const DEFAULT_DRIFT_MIN_COUNT = 100;
/** The default verdict: Jensen–Shannon distance (base 2) at or above this is drift. */
export const DEFAULT_JS_THRESHOLD = 0.1;

export interface DriftBin {
  label: string;
  reference: number;
  current: number;
}

export interface FeatureDriftReport {
  feature: string;
  kind: 'numeric' | 'categorical';
  referenceCount: number;
  currentCount: number;
  referenceMissing: number;
  currentMissing: number;
  /** PSI and Jensen–Shannon bins: coarse (decile) bins or top-K + other, plus "missing" when either side has missing values. */
  bins: DriftBin[];
  psi: number | null;
  jsDistance: number | null;
  ks: KsResult | null;
  wasserstein: number | null;
  chiSquare: ChiSquareResult | null;
  verdict: 'drift' | 'no_drift' | 'insufficient_data';
}

export function featureDrift(profile: FeatureProfile, current: FeatureCounts | undefined, minCount = DEFAULT_DRIFT_MIN_COUNT): FeatureDriftReport {
  const counts = current ?? { bins: [], missing: 0 };
  const report = profile.kind === 'numeric' ? numericDrift(profile, counts) : categoricalDrift(profile, counts);
  const enough = report.currentCount >= minCount && report.referenceCount > 0;
  const verdict = !enough || report.jsDistance === null ? 'insufficient_data' : report.jsDistance >= DEFAULT_JS_THRESHOLD ? 'drift' : 'no_drift';
  return { ...report, verdict };
}

type Partial = Omit<FeatureDriftReport, 'verdict'>;

function numericDrift(profile: NumericFeatureProfile, current: FeatureCounts): Partial {
  const fineRef = profile.counts;
  const fineCur = profile.counts.map((_, i) => current.bins[i] ?? 0);
  const map = coarseBinMap(profile);
  const coarse = (fine: readonly number[]) => {
    const out = new Array<number>(profile.psiEdges.length + 1).fill(0);
    fine.forEach((c, i) => (out[map[i]] += c));
    return out;
  };
  const labels = intervalLabels(profile.psiEdges);
  const bins = withMissing(
    coarse(fineRef).map((reference, i) => ({ label: labels[i], reference, current: coarse(fineCur)[i] })),
    profile.missing,
    current.missing,
  );
  const refPositions = fineRef.map((_, i) => binPosition(profile, i, profile.sums?.[i], fineRef[i]));
  const curPositions = fineCur.map((_, i) => binPosition(profile, i, current.sums?.[i], fineCur[i]));
  return {
    feature: profile.name,
    kind: 'numeric',
    referenceCount: sum(fineRef),
    currentCount: sum(fineCur),
    referenceMissing: profile.missing,
    currentMissing: current.missing,
    bins,
    psi: populationStabilityIndex(bins.map((b) => b.reference), bins.map((b) => b.current)),
    jsDistance: jensenShannonDistance(bins.map((b) => b.reference), bins.map((b) => b.current)),
    ks: ksTwoSampleFromCounts(fineRef, fineCur),
    wasserstein: wasserstein1(refPositions, curPositions, fineRef, fineCur),
    chiSquare: null,
  };
}

function categoricalDrift(profile: CategoricalFeatureProfile, current: FeatureCounts): Partial {
  const reference = [...profile.categories.map((c) => c.count), profile.otherCount];
  const labels = [...profile.categories.map((c) => c.value), '(other)'];
  const bins = withMissing(
    reference.map((r, i) => ({ label: labels[i], reference: r, current: current.bins[i] ?? 0 })),
    profile.missing,
    current.missing,
  );
  const ref = bins.map((b) => b.reference);
  const cur = bins.map((b) => b.current);
  return {
    feature: profile.name,
    kind: 'categorical',
    referenceCount: sum(reference),
    currentCount: sum(cur) - current.missing,
    referenceMissing: profile.missing,
    currentMissing: current.missing,
    bins,
    psi: populationStabilityIndex(ref, cur),
    jsDistance: jensenShannonDistance(ref, cur),
    ks: null,
    wasserstein: null,
    chiSquare: chiSquareHomogeneity(ref, cur),
  };
}

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

function withMissing(bins: DriftBin[], referenceMissing: number, currentMissing: number): DriftBin[] {
  return referenceMissing + currentMissing > 0 ? [...bins, { label: '(missing)', reference: referenceMissing, current: currentMissing }] : bins;
}

function intervalLabels(edges: readonly number[]): string[] {
  if (edges.length === 0) return ['(-inf, inf)'];
  return [`(-inf, ${edges[0]})`, ...edges.map((e, i) => (i + 1 < edges.length ? `[${e}, ${edges[i + 1]})` : `[${e}, inf)`))];
}

/** Where a bin's mass sits for Wasserstein: its mean when sums are known, else the midpoint (outer bins: their finite edge). */
function binPosition(profile: NumericFeatureProfile, bin: number, binSum: number | undefined, count: number): number {
  if (binSum !== undefined && count > 0) return binSum / count;
  const { edges } = profile;
  if (edges.length === 0) return 0;
  if (bin === 0) return edges[0];
  if (bin === edges.length) return edges[edges.length - 1];
  return (edges[bin - 1] + edges[bin]) / 2;
}
