import { describe, expect, it } from 'vitest';
import { emptyBucketSums, mergeBucketInto, type BucketSums } from '../src/monitoring/bucketSums.ts';
import { applyClassLabel } from '../src/monitoring/classificationSums.ts';
import { addToSketch, RELATIVE_ACCURACY } from '../src/monitoring/latencySketch.ts';
import { applyRegressionLabel } from '../src/monitoring/regressionSums.ts';
import { windowMetrics } from '../src/monitoring/windowMetrics.ts';
import { expectClose, golden, probabilityMaps } from './support/goldenMonitoring.ts';

/** Spreads rows over three buckets (round robin) and merges them: a window must not depend on how its rows were split. */
function mergedOverBuckets(rows: number, add: (bucket: BucketSums, row: number) => void): BucketSums {
  const buckets = [emptyBucketSums(), emptyBucketSums(), emptyBucketSums()];
  for (let i = 0; i < rows; i++) add(buckets[i % 3], i);
  const window = emptyBucketSums();
  for (const b of buckets) mergeBucketInto(window, b);
  return window;
}

describe(`classification metrics against scikit-learn ${golden.generatedWith.sklearn}`, () => {
  for (const c of golden.classification) {
    it(c.name, () => {
      const probabilities = probabilityMaps(c);
      const sums = mergedOverBuckets(c.yTrue.length, (bucket, i) => {
        const prediction = { predictedClass: c.yPred[i], probabilities: probabilities[i] };
        // A wrong label first, then its correction: taking a label back must leave no trace.
        applyClassLabel(bucket.classification, prediction, 'wrong-label', 1);
        applyClassLabel(bucket.classification, prediction, 'wrong-label', -1);
        applyClassLabel(bucket.classification, prediction, c.yTrue[i], 1);
        bucket.labelled += 1;
        bucket.predictions += 1;
      });
      for (const zd of [0, 1] as const) {
        const metrics = windowMetrics(sums, { zeroDivision: zd });
        expect(metrics.posLabel).toBe(c.expected.posLabel);
        expectClose(metrics.accuracy, c.expected.accuracy, 1e-12, 'accuracy');
        for (const s of metrics.scores) {
          const expected = c.expected.scores[`${s.average}/${zd}`];
          for (const key of ['precision', 'recall', 'f1'] as const) expectClose(s[key], expected[key], 1e-12, `${key} ${s.average} zero_division=${zd}`);
        }
        if (c.expected.rocAuc) {
          expectClose(metrics.rocAuc.macro?.value, c.expected.rocAuc.macro, 1e-12, 'roc auc macro');
          expectClose(metrics.rocAuc.weighted?.value, c.expected.rocAuc.weighted, 1e-12, 'roc auc weighted');
        }
        if (c.expected.logLoss !== undefined) expectClose(metrics.logLoss, c.expected.logLoss, 1e-12, 'log loss');
      }
    });
  }

  it('reports how far a gridded AUC can be from the exact one, and 0 when no positive and negative share a cell', () => {
    const sums = emptyBucketSums();
    const rows: [string, number][] = [['1', 0.90001], ['0', 0.90004], ['1', 0.2], ['0', 0.1]];
    for (const [label, p] of rows) applyClassLabel(sums.classification, { predictedClass: p >= 0.5 ? '1' : '0', probabilities: { '0': 1 - p, '1': p } }, label, 1);
    const auc = windowMetrics(sums).rocAuc.macro;
    // Exact AUC: 2 of 4 pairs won (0.90001 < 0.90004 is lost) = 0.5; on the grid that pair ties: 0.625.
    expect(auc?.value).toBe(0.625);
    expect(auc?.maxGridError).toBe(0.125);
    expect(Math.abs((auc?.value ?? 0) - 0.5)).toBeLessThanOrEqual(auc?.maxGridError ?? 0);

    const apart = emptyBucketSums();
    for (const [label, p] of [['0', 0.1], ['0', 0.4], ['1', 0.35], ['1', 0.8]] as const) {
      applyClassLabel(apart.classification, { predictedClass: '0', probabilities: { '0': 1 - p, '1': p } }, label, 1);
    }
    expect(windowMetrics(apart).rocAuc.macro).toEqual({ value: 0.75, maxGridError: 0 });
  });

  it('one-vs-rest over the classes present in y_true when a window lacks one (where scikit-learn raises)', () => {
    const sums = emptyBucketSums();
    const p = (a: number, b: number, c: number) => ({ a, b, c });
    const rows: [string, Record<string, number>][] = [['a', p(0.7, 0.2, 0.1)], ['b', p(0.2, 0.6, 0.2)], ['a', p(0.4, 0.5, 0.1)], ['b', p(0.5, 0.3, 0.2)]];
    for (const [label, probabilities] of rows) applyClassLabel(sums.classification, { predictedClass: 'a', probabilities }, label, 1);
    const auc = windowMetrics(sums).rocAuc;
    expect(auc.perClass.map((c) => c.label)).toEqual(['a', 'b']);
    // class a: positives 0.7, 0.4 vs negatives 0.2, 0.5 → 3 of 4; class b: positives 0.6, 0.3 vs 0.2, 0.5 → 3 of 4.
    expect(auc.macro?.value).toBe(0.75);
  });
});

describe('regression metrics against scikit-learn', () => {
  for (const c of golden.regression) {
    it(c.name, () => {
      const sums = mergedOverBuckets(c.yTrue.length, (bucket, i) => {
        applyRegressionLabel(bucket.regression, c.yPred[i], c.yTrue[i] + 5, 1);
        applyRegressionLabel(bucket.regression, c.yPred[i], c.yTrue[i] + 5, -1);
        applyRegressionLabel(bucket.regression, c.yPred[i], c.yTrue[i], 1);
      });
      const metrics = windowMetrics(sums).regression;
      expectClose(metrics.mse, c.expected.mse, 1e-10, 'mse');
      expectClose(metrics.rmse, c.expected.rmse, 1e-10, 'rmse');
      expectClose(metrics.mae, c.expected.mae, 1e-10, 'mae');
      expectClose(metrics.r2, c.expected.r2, 1e-9, 'r2');
    });
  }
});

describe('latency quantiles from the mergeable sketch', () => {
  it(`are within ${RELATIVE_ACCURACY * 100}% of numpy's order statistic (method="lower")`, () => {
    const { values, quantiles } = golden.latency;
    const sums = mergedOverBuckets(values.length, (bucket, i) => addToSketch(bucket.latency, values[i]));
    const metrics = windowMetrics(sums);
    const got: Record<string, number | null> = { '0.5': metrics.latencyP50, '0.95': metrics.latencyP95, '0.99': metrics.latencyP99 };
    for (const [q, expected] of Object.entries(quantiles)) {
      expect(got[q]).not.toBeNull();
      expect(Math.abs((got[q] as number) - expected) / expected, `p${q}: ${got[q]} vs ${expected}`).toBeLessThanOrEqual(RELATIVE_ACCURACY);
    }
  });
});
