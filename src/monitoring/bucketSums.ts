import { emptyClassificationSums, mergeClassificationInto, type ClassificationSums } from './classificationSums.ts';
import { emptySketch, mergeSketchInto, type LatencySketch } from './latencySketch.ts';
import { emptyRegressionSums, mergeRegressionInto, type RegressionSums } from './regressionSums.ts';
import { DenseCells } from './scoreGrid.ts';

/**
 * Everything a window's performance and serving metrics need from one bucket
 * (model version × segment × 5 minutes). Windows are merges of these, never scans.
 */
export interface BucketSums {
  predictions: number;
  errors: number;
  /** Predictions with a usable label joined to them. */
  labelled: number;
  /** Labels that could not be used (a non-numeric label for a regression prediction). */
  invalidLabels: number;
  latency: LatencySketch;
  classification: ClassificationSums;
  regression: RegressionSums;
  /** Bumped on every change: a window's revision rises when late labels restate it. */
  revision: number;
}

export const emptyBucketSums = (): BucketSums => ({
  predictions: 0,
  errors: 0,
  labelled: 0,
  invalidLabels: 0,
  latency: emptySketch(),
  classification: emptyClassificationSums(),
  regression: emptyRegressionSums(),
  revision: 0,
});

export function mergeBucketInto(target: BucketSums, source: BucketSums): void {
  target.predictions += source.predictions;
  target.errors += source.errors;
  target.labelled += source.labelled;
  target.invalidLabels += source.invalidLabels;
  target.revision += source.revision;
  mergeSketchInto(target.latency, source.latency);
  mergeClassificationInto(target.classification, source.classification);
  mergeRegressionInto(target.regression, source.regression);
}

/**
 * A window: many buckets merged. The same sums as merging them one by one into an
 * empty bucket, with the score cells added into dense counters instead of through
 * thousands of sorted merges.
 */
export function mergeBuckets(buckets: readonly BucketSums[]): BucketSums {
  const window = emptyBucketSums();
  const dense = new Map<string, DenseCells>();
  for (const bucket of buckets) {
    mergeBucketInto(window, { ...bucket, classification: { ...bucket.classification, scores: {} } });
    for (const [cls, cells] of Object.entries(bucket.classification.scores)) {
      let acc = dense.get(cls);
      if (!acc) dense.set(cls, (acc = new DenseCells()));
      acc.add(cells);
    }
  }
  for (const [cls, acc] of dense) {
    const cells = acc.cells();
    if (cells.k.length > 0) window.classification.scores[cls] = cells;
  }
  return window;
}
