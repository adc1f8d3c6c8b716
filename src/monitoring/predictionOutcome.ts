import type { BucketSums } from './bucketSums.ts';
import { applyClassLabel } from './classificationSums.ts';
import { applyRegressionLabel } from './regressionSums.ts';

/** What a labelled prediction contributes: its output, as kept in the join index. */
export interface StoredPrediction {
  predictedClass?: string | null;
  predictedValue?: number | null;
  probabilities?: Record<string, number> | null;
}

/** A regression label must be a finite number (written as text, as every label is stored). */
export function numericLabel(label: string): number | undefined {
  if (label.trim() === '') return undefined;
  const value = Number(label);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Adds (sign 1) or takes back (sign −1) a label's contribution to a bucket.
 * Predictions without an output (errored) take no part in performance metrics;
 * an unusable label (text for a regression model) is only counted as invalid.
 */
export function applyLabel(sums: BucketSums, prediction: StoredPrediction, label: string, sign: 1 | -1): void {
  if (prediction.predictedClass !== null && prediction.predictedClass !== undefined) {
    applyClassLabel(sums.classification, { predictedClass: prediction.predictedClass, probabilities: prediction.probabilities ?? undefined }, label, sign);
    sums.labelled += sign;
    return;
  }
  if (prediction.predictedValue === null || prediction.predictedValue === undefined) return;
  const actual = numericLabel(label);
  if (actual === undefined) {
    sums.invalidLabels += sign;
    return;
  }
  applyRegressionLabel(sums.regression, prediction.predictedValue, actual, sign);
  sums.labelled += sign;
}
