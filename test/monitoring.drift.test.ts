import { describe, expect, it } from 'vitest';
import { chiSquareHomogeneity } from '../src/monitoring/chiSquare.ts';
import { countFeatureValue, emptyFeatureCounts, mergeDriftInto, type DriftSums } from '../src/monitoring/driftSums.ts';
import { featureDrift } from '../src/monitoring/featureDrift.ts';
import { chiSquareSurvival } from '../src/monitoring/gammaFunctions.ts';
import { jensenShannonDistance } from '../src/monitoring/jensenShannon.ts';
import { kolmogorovSurvival } from '../src/monitoring/kolmogorovDistribution.ts';
import { ksPValue, ksTwoSampleFromCounts } from '../src/monitoring/ksTwoSample.ts';
import { categoricalProfileFromValues, numericProfileFromValues } from '../src/monitoring/profileFromSamples.ts';
import { populationStabilityIndex } from '../src/monitoring/psi.ts';
import { smirnovSurvival } from '../src/monitoring/smirnov.ts';
import { wasserstein1 } from '../src/monitoring/wasserstein.ts';
import { expectClose, golden } from './support/goldenMonitoring.ts';

/** Counts of two raw samples over their pooled distinct values: KS on these is ks_2samp on the raw data. */
function countsOnPooledSupport(x: number[], y: number[]): [number[], number[]] {
  const support = [...new Set([...x, ...y])].sort((a, b) => a - b);
  const index = new Map(support.map((v, i) => [v, i]));
  const a = new Array<number>(support.length).fill(0);
  const b = new Array<number>(support.length).fill(0);
  for (const v of x) a[index.get(v) as number] += 1;
  for (const v of y) b[index.get(v) as number] += 1;
  return [a, b];
}

describe(`two-sample KS against scipy ${golden.generatedWith.scipy} ks_2samp`, () => {
  for (const c of golden.ks) {
    it(`${c.name ?? `${JSON.stringify(c.x).slice(0, 30)} vs ${JSON.stringify(c.y).slice(0, 30)}`} (${c.x.length} vs ${c.y.length}, ${c.method})`, () => {
      const [a, b] = countsOnPooledSupport(c.x, c.y);
      const result = ksTwoSampleFromCounts(a, b);
      expect(result?.method).toBe(c.method);
      expectClose(result?.statistic, c.statistic, 1e-12, 'D');
      expectClose(result?.pValue, c.pValue, 1e-9, 'p');
      if (c.pValueAsymp !== null && c.method === 'exact') {
        // The asymptotic p-value (kstwo at the effective n) for the same D, as ks_2samp(method="asymp").
        const en = Math.round((c.x.length * c.y.length) / (c.x.length + c.y.length));
        expectClose(kolmogorovSurvival(en, c.statistic), c.pValueAsymp, 1e-9, 'p asymp');
      }
    });
  }

  it('the exact p-value equals brute-force counting of lattice paths on a small case', () => {
    // n1 = 3, n2 = 4: all C(7,3) = 35 orderings, D computed for each.
    const n1 = 3;
    const n2 = 4;
    let atLeast = 0;
    const target = 0.5;
    for (let mask = 0; mask < 1 << 7; mask++) {
      if (popcount(mask) !== n1) continue;
      let i = 0;
      let j = 0;
      let d = 0;
      for (let step = 0; step < 7; step++) {
        if (mask & (1 << step)) i++;
        else j++;
        d = Math.max(d, Math.abs(i / n1 - j / n2));
      }
      if (d >= target - 1e-12) atLeast++;
    }
    expectClose(ksPValue(target, n1, n2).pValue, atLeast / 35, 1e-12, 'p');
  });
});

const popcount = (x: number) => x.toString(2).replace(/0/g, '').length;

describe('Kolmogorov distribution (scipy.stats.kstwo.sf) in every regime', () => {
  for (const c of golden.kolmogorov) {
    it(`n=${c.n} x=${c.x.toPrecision(6)} (nx²=${(c.n * c.x * c.x).toPrecision(3)})`, () => {
      expectClose(kolmogorovSurvival(c.n, c.x), c.sf, 1e-9, 'sf');
    });
  }
  for (const c of golden.smirnov) {
    it(`smirnov n=${c.n} x=${c.x}`, () => expectClose(smirnovSurvival(c.n, c.x), c.sf, 1e-9, 'smirnov'));
  }
});

describe('chi-square against scipy', () => {
  for (const c of golden.chi2Survival) it(`chi2.sf(${c.x}, ${c.dof})`, () => expectClose(chiSquareSurvival(c.x, c.dof), c.sf, 1e-10, 'sf'));
  for (const c of golden.chi2Contingency) {
    it(`chi2_contingency ${JSON.stringify([c.reference, c.current])}`, () => {
      const result = chiSquareHomogeneity(c.reference, c.current);
      expectClose(result?.statistic, c.statistic, 1e-12, 'statistic');
      expectClose(result?.pValue, c.pValue, 1e-10, 'p');
      expect(result?.dof).toBe(c.dof);
    });
  }
});

describe('Jensen–Shannon, Wasserstein-1 and PSI', () => {
  for (const c of golden.jensenShannon) {
    it(`jensenshannon ${JSON.stringify([c.p, c.q])}`, () => {
      expectClose(jensenShannonDistance(c.p, c.q, 2), c.base2, 1e-12, 'base 2');
      expectClose(jensenShannonDistance(c.p, c.q, Math.E), c.baseE, 1e-12, 'base e');
    });
  }
  for (const c of golden.wasserstein) {
    it(`wasserstein_distance ${JSON.stringify([c.u, c.v])}`, () => expectClose(wasserstein1(c.u, c.v, c.uWeights, c.vWeights), c.distance, 1e-12, 'W1'));
  }
  for (const c of golden.psi) it(`psi: ${c.name}`, () => expectClose(populationStabilityIndex(c.reference, c.current), c.psi, 1e-12, 'psi'));
});

describe('drift of a window against a reference profile built from training values', () => {
  for (const c of golden.profiles) {
    it(c.name, () => {
      const profile = numericProfileFromValues('x', c.reference);
      expect(profile.psiEdges).toEqual(c.coarseEdges);
      expect(profile.edges).toEqual(c.fineEdges);
      // Current values binned in three buckets, then merged, as the projection and a window query do.
      const buckets: DriftSums[] = [0, 1, 2].map(() => ({ rows: 0, features: { x: emptyFeatureCounts(profile) } }));
      c.current.forEach((v, i) => countFeatureValue(buckets[i % 3].features.x, profile, v));
      const window: DriftSums = { rows: 0, features: {} };
      for (const b of buckets) mergeDriftInto(window, b);
      const report = featureDrift(profile, window.features.x);
      expect(report.bins.map((b) => b.reference)).toEqual(c.referenceCounts);
      expect(report.bins.map((b) => b.current)).toEqual(c.currentCounts);
      expectClose(report.psi, c.psi, 1e-12, 'psi');
      expectClose(report.jsDistance, c.jensenShannonBase2, 1e-12, 'js');
      const ks = report.ks;
      expect(ks).not.toBeNull();
      if (c.exactOnBins) {
        expectClose(ks?.statistic, c.rawKsStatistic, 1e-12, 'D');
        expectClose(ks?.pValue, c.rawKsPValue, 1e-9, 'p');
        expectClose(report.wasserstein, c.rawWasserstein, 1e-12, 'W1');
      } else {
        // On percentile bins D is the max over bin edges: never above the raw D, and below it by at most one bin's share.
        const shares = profile.counts.map((r, i) => Math.max(r / c.reference.length, (window.features.x.bins[i] ?? 0) / c.current.length));
        expect(ks?.statistic ?? 0).toBeLessThanOrEqual(c.rawKsStatistic + 1e-12);
        expect(c.rawKsStatistic - (ks?.statistic ?? 0)).toBeLessThanOrEqual(Math.max(...shares));
        expect(Math.abs((report.wasserstein ?? 0) - c.rawWasserstein) / c.rawWasserstein).toBeLessThan(0.05);
      }
    });
  }

  it('categorical: top K + other + missing, chi-square homogeneity, and no verdict below the minimum count', () => {
    const reference = [...Array(50).fill('a'), ...Array(30).fill('b'), ...Array(15).fill('c'), ...Array(5).fill('d'), null, null];
    const profile = categoricalProfileFromValues('country', reference, 3);
    expect(profile.categories).toEqual([
      { value: 'a', count: 50 },
      { value: 'b', count: 30 },
      { value: 'c', count: 15 },
    ]);
    expect(profile.otherCount).toBe(5);
    expect(profile.missing).toBe(2);
    const counts = emptyFeatureCounts(profile);
    for (const v of [...Array(40).fill('a'), ...Array(40).fill('b'), ...Array(10).fill('c'), 'zz', 'd', null]) countFeatureValue(counts, profile, v);
    const report = featureDrift(profile, counts, 50);
    expect(report.bins).toEqual([
      { label: 'a', reference: 50, current: 40 },
      { label: 'b', reference: 30, current: 40 },
      { label: 'c', reference: 15, current: 10 },
      { label: '(other)', reference: 5, current: 2 },
      { label: '(missing)', reference: 2, current: 1 },
    ]);
    expect(report.chiSquare).toEqual(chiSquareHomogeneity([50, 30, 15, 5, 2], [40, 40, 10, 2, 1]));
    expect(report.currentCount).toBe(92);
    expect(report.verdict).not.toBe('insufficient_data');
    expect(featureDrift(profile, counts, 93).verdict).toBe('insufficient_data');
  });
});
