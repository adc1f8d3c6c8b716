export interface MetricPoint {
  runId: string;
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/** Postgres float8 order: NaN above every number. */
export function compareMetricValues(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** MLflow's "latest" metric: the largest (step, timestamp, value), not the last to arrive. */
export function compareMetricPoints(a: MetricPoint, b: MetricPoint): number {
  return a.step - b.step || a.timestamp - b.timestamp || compareMetricValues(a.value, b.value);
}

/** Column arrays for one unnest() insert; float8 travels as text so NaN and ±Infinity survive. */
export function metricColumns(points: readonly MetricPoint[]): [string[], string[], number[], number[], string[]] {
  return [points.map((p) => p.runId), points.map((p) => p.key), points.map((p) => p.step), points.map((p) => p.timestamp), points.map((p) => String(p.value))];
}
