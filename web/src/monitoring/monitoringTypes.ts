export interface MonitoringWindow {
  start: number;
  end: number;
  predictions: number;
  labelled: number;
  labelCoverage: number | null;
  accuracy: number | null;
  rocAuc: number | null;
  logLoss: number | null;
  mse: number | null;
  rmse: number | null;
  mae: number | null;
  r2: number | null;
  errorRate: number | null;
  latencyP50: number | null;
  latencyP95: number | null;
  latencyP99: number | null;
  scores: { average: string; precision: number | null; recall: number | null; f1: number | null }[];
}

export interface MonitorEvaluation {
  value: number | null;
  baseline: number | null;
  labelCoverage: number | null;
  count: number;
  verdict: string;
  reason: string;
}

export interface MonitorRow {
  id: string;
  name: string;
  model: string;
  version: number | null;
  alias: string | null;
  metric: string | null;
  average: string | null;
  driftFeature: string | null;
  driftStatistic: string | null;
  baselineMetric: string | null;
  threshold: number | null;
  minAbsoluteChange: number | null;
  minRelativeChange: number | null;
  greaterIsBetter: boolean;
  minLabelCoverage: number;
  windowMs: number;
  forMs: number;
  state: string;
  stateSince: number;
  current?: MonitorEvaluation;
}

export interface AlertRow {
  id: string;
  cursor: string;
  at: number;
  monitorId: string;
  monitorName: string;
  model: string;
  version: number;
  from: string;
  to: string;
  value: number | null;
  baseline: number | null;
  labelCoverage: number | null;
  reason: string;
}

export const monitorFields =
  'id name model version alias metric average driftFeature driftStatistic baselineMetric threshold minAbsoluteChange minRelativeChange greaterIsBetter minLabelCoverage windowMs forMs state stateSince';
export const alertFields = 'id cursor at monitorId monitorName model version from to value baseline labelCoverage reason';

/** Window fields by the metric names monitors use (MLflow/sklearn spelling). */
export const windowMetrics: { name: string; label: string; read(w: MonitoringWindow): number | null }[] = [
  { name: 'accuracy', label: 'Accuracy', read: (w) => w.accuracy },
  { name: 'f1', label: 'F1 (macro)', read: (w) => w.scores.find((s) => s.average === 'MACRO')?.f1 ?? null },
  { name: 'roc_auc', label: 'ROC AUC', read: (w) => w.rocAuc },
  { name: 'log_loss', label: 'Log loss', read: (w) => w.logLoss },
  { name: 'rmse', label: 'RMSE', read: (w) => w.rmse },
  { name: 'mae', label: 'MAE', read: (w) => w.mae },
  { name: 'r2', label: 'R²', read: (w) => w.r2 },
  { name: 'label_coverage', label: 'Label coverage', read: (w) => w.labelCoverage },
  { name: 'error_rate', label: 'Error rate', read: (w) => w.errorRate },
  { name: 'latency_p95', label: 'Latency p95 (ms)', read: (w) => w.latencyP95 },
  { name: 'prediction_count', label: 'Predictions', read: (w) => w.predictions },
];

export const windowFields =
  'start end predictions labelled labelCoverage accuracy rocAuc logLoss mse rmse mae r2 errorRate latencyP50 latencyP95 latencyP99 scores { average precision recall f1 }';

export function formatMs(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes < 60) return `${minutes} min`;
  const hours = minutes / 60;
  return hours < 48 ? `${hours} h` : `${hours / 24} d`;
}

/** A monitor's rule in words, as MLflow's MetricThreshold reads. */
export function ruleText(m: MonitorRow): string {
  const parts: string[] = [];
  const better = m.greaterIsBetter ? 'higher is better' : 'lower is better';
  if (m.threshold !== null) parts.push(`${m.greaterIsBetter ? '≥' : '≤'} ${m.threshold}`);
  if (m.minAbsoluteChange !== null) parts.push(`within ${m.minAbsoluteChange} of training`);
  if (m.minRelativeChange !== null) parts.push(`within ${(m.minRelativeChange * 100).toFixed(1)}% of training`);
  return `${parts.join(', ') || 'no bound'} (${better})`;
}
