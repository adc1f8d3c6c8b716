import type { MonitoredMetric } from '../events/monitoringEvents.ts';
import type { FeatureDriftReport } from './featureDrift.ts';
import type { WindowMetrics } from './windowMetrics.ts';

type PerformanceName = Extract<MonitoredMetric, { kind: 'performance' }>['name'];

const LABEL_METRICS = new Set<PerformanceName>(['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss', 'mse', 'rmse', 'mae', 'r2']);
const LOWER_IS_BETTER = new Set<string>(['log_loss', 'mse', 'rmse', 'mae', 'latency_p50', 'latency_p95', 'latency_p99', 'error_rate', 'psi', 'js_distance', 'ks_statistic', 'wasserstein']);

/** Scores and p-values are better high; losses, errors, latencies and distances low. */
export function greaterIsBetterByDefault(metric: MonitoredMetric): boolean {
  return !LOWER_IS_BETTER.has(metric.kind === 'performance' ? metric.name : metric.statistic);
}

/** Performance metrics that need labels (judged only with enough label coverage). */
export function needsLabels(metric: MonitoredMetric): boolean {
  return metric.kind === 'performance' && LABEL_METRICS.has(metric.name);
}

/**
 * The names a source run may have logged a metric under: ours, then what
 * mlflow.evaluate logs (accuracy_score, root_mean_squared_error, …).
 */
export function trainingMetricKeys(metric: MonitoredMetric, explicit?: string): string[] {
  if (explicit) return [explicit];
  if (metric.kind !== 'performance') return [];
  const mlflow: Partial<Record<PerformanceName, string>> = {
    accuracy: 'accuracy_score',
    precision: 'precision_score',
    recall: 'recall_score',
    f1: 'f1_score',
    log_loss: 'log_loss',
    roc_auc: 'roc_auc',
    mse: 'mean_squared_error',
    rmse: 'root_mean_squared_error',
    mae: 'mean_absolute_error',
    r2: 'r2_score',
  };
  return [metric.name, ...(mlflow[metric.name] ? [mlflow[metric.name] as string] : [])];
}

/** A performance metric's value in a window; precision/recall/F1 default to 'binary' with two classes or fewer, else 'macro'. */
export function performanceValue(metric: Extract<MonitoredMetric, { kind: 'performance' }>, m: WindowMetrics): number | null {
  const averaged = (key: 'precision' | 'recall' | 'f1') => {
    const average = metric.average ?? (m.classes.length <= 2 ? 'binary' : 'macro');
    return m.scores.find((s) => s.average === average)?.[key] ?? null;
  };
  switch (metric.name) {
    case 'accuracy':
      return m.accuracy;
    case 'precision':
    case 'recall':
    case 'f1':
      return averaged(metric.name);
    case 'roc_auc':
      return (metric.average === 'weighted' ? m.rocAuc.weighted : m.rocAuc.macro)?.value ?? null;
    case 'log_loss':
      return m.logLoss;
    case 'mse':
    case 'rmse':
    case 'mae':
    case 'r2':
      return m.regression[metric.name];
    case 'latency_p50':
      return m.latencyP50;
    case 'latency_p95':
      return m.latencyP95;
    case 'latency_p99':
      return m.latencyP99;
    case 'error_rate':
      return m.errorRate;
    case 'prediction_count':
      return m.predictions;
    case 'label_coverage':
      return m.labelCoverage;
  }
}

export function driftValue(metric: Extract<MonitoredMetric, { kind: 'drift' }>, report: FeatureDriftReport): number | null {
  switch (metric.statistic) {
    case 'psi':
      return report.psi;
    case 'js_distance':
      return report.jsDistance;
    case 'ks_statistic':
      return report.ks?.statistic ?? null;
    case 'ks_p_value':
      return report.ks?.pValue ?? null;
    case 'chi2_p_value':
      return report.chiSquare?.pValue ?? null;
    case 'wasserstein':
      return report.wasserstein;
  }
}
