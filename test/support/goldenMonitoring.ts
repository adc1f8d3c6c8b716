import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/** The values scikit-learn/scipy/numpy computed for test/fixtures/monitoring (see generate.py there). */
export interface ClassificationCase {
  name: string;
  yTrue: string[];
  yPred: string[];
  classes?: string[];
  probabilities?: number[][];
  expected: {
    accuracy: number;
    posLabel: string;
    scores: Record<string, { precision: number | null; recall: number | null; f1: number | null }>;
    rocAuc?: { macro: number | null; weighted: number | null };
    logLoss?: number | null;
  };
}

export interface RegressionCase {
  name: string;
  yTrue: number[];
  yPred: number[];
  expected: { mse: number; rmse: number; mae: number; r2: number | null };
}

export interface KsCase {
  name: string | null;
  x: number[];
  y: number[];
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymp';
  pValueAsymp: number | null;
}

export interface ProfileCase {
  name: string;
  reference: number[];
  current: number[];
  fineEdges: number[];
  coarseEdges: number[];
  referenceCounts: number[];
  currentCounts: number[];
  psi: number;
  jensenShannonBase2: number;
  rawKsStatistic: number;
  rawKsPValue: number;
  rawWasserstein: number;
  exactOnBins: boolean;
}

export interface Golden {
  generatedWith: Record<string, string>;
  classification: ClassificationCase[];
  regression: RegressionCase[];
  latency: { values: number[]; quantiles: Record<string, number> };
  ks: KsCase[];
  kolmogorov: { n: number; x: number; sf: number }[];
  smirnov: { n: number; x: number; sf: number }[];
  chi2Survival: { x: number; dof: number; sf: number }[];
  chi2Contingency: { reference: number[]; current: number[]; statistic: number; pValue: number; dof: number }[];
  jensenShannon: { p: number[]; q: number[]; base2: number; baseE: number }[];
  wasserstein: { u: number[]; v: number[]; uWeights?: number[]; vWeights?: number[]; distance: number }[];
  psi: { name: string; reference: number[]; current: number[]; psi: number }[];
  profiles: ProfileCase[];
}

export const golden: Golden = JSON.parse(readFileSync(new URL('../fixtures/monitoring/golden.json', import.meta.url), 'utf8'));

/** Equal within a relative (and, near zero, absolute) tolerance; null must match null. */
export function expectClose(actual: number | null | undefined, expected: number | null | undefined, tolerance = 1e-12, label = ''): void {
  if (expected === null || expected === undefined) {
    expect(actual ?? null, label).toBeNull();
    return;
  }
  expect(actual, label).not.toBeNull();
  expect(actual, label).toBeTypeOf('number');
  const diff = Math.abs((actual as number) - expected);
  expect(diff, `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
}

/** A case's probability rows as the class → probability maps predictions carry. */
export function probabilityMaps(c: ClassificationCase): (Record<string, number> | undefined)[] {
  return c.yTrue.map((_, i) => (c.probabilities && c.classes ? Object.fromEntries(c.classes.map((cls, k) => [cls, (c.probabilities as number[][])[i][k]])) : undefined));
}
