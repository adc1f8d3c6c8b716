import type { BucketSums } from './bucketSums.ts';
import { accuracy, defaultPosLabel, labelledCount, presentLabels, precisionRecallF1, type Average, type ZeroDivision } from './confusionMetrics.ts';
import { sketchQuantile } from './latencySketch.ts';
import { regressionMetrics, type RegressionMetrics } from './regressionMetrics.ts';
import { rocAuc, type AucSummary } from './rocAuc.ts';

export interface MetricOptions {
  posLabel?: string;
  zeroDivision?: ZeroDivision;
}

export interface AveragedScores {
  average: Average;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

/** A window's metrics, computed from its merged buckets. Null marks a metric undefined for the window. */
export interface WindowMetrics {
  predictions: number;
  errors: number;
  errorRate: number | null;
  labelled: number;
  /** labelled / predictions (errored predictions count as unlabelled). */
  labelCoverage: number | null;
  invalidLabels: number;
  latencyP50: number | null;
  latencyP95: number | null;
  latencyP99: number | null;
  posLabel: string;
  classes: string[];
  accuracy: number | null;
  scores: AveragedScores[];
  rocAuc: AucSummary;
  logLoss: number | null;
  regression: RegressionMetrics;
  revision: number;
}

const AVERAGES: Average[] = ['binary', 'micro', 'macro', 'weighted'];

export function windowMetrics(sums: BucketSums, options: MetricOptions = {}): WindowMetrics {
  const zd = options.zeroDivision ?? 0;
  const confusion = sums.classification.confusion;
  const classes = [...new Set([...presentLabels(confusion), ...Object.keys(sums.classification.scores)])].sort();
  const posLabel = options.posLabel ?? defaultPosLabel(classes);
  const q = (p: number) => sketchQuantile(sums.latency, p) ?? null;
  return {
    predictions: sums.predictions,
    errors: sums.errors,
    errorRate: sums.predictions === 0 ? null : sums.errors / sums.predictions,
    labelled: sums.labelled,
    labelCoverage: sums.predictions === 0 ? null : sums.labelled / sums.predictions,
    invalidLabels: sums.invalidLabels,
    latencyP50: q(0.5),
    latencyP95: q(0.95),
    latencyP99: q(0.99),
    posLabel,
    classes,
    accuracy: accuracy(confusion),
    scores: labelledCount(confusion) === 0 ? [] : AVERAGES.map((average) => ({ average, ...precisionRecallF1(confusion, average, zd, posLabel) })),
    rocAuc: rocAuc(sums.classification, posLabel),
    logLoss: sums.classification.logLossCount === 0 ? null : sums.classification.logLossSum / sums.classification.logLossCount,
    regression: regressionMetrics(sums.regression),
    revision: sums.revision,
  };
}
