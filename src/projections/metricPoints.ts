import type { RecordedEvent } from '../events/eventEnvelope.ts';
import { fromStoredMetricValue } from '../events/metricValue.ts';
import { MetricsLogged } from '../events/runEvents.ts';

export interface MetricPoint {
  runId: string;
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/** Every metric point in a batch of events, in log order. */
export function metricPointsOf(events: readonly RecordedEvent[]): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const event of events) {
    if (!MetricsLogged.is(event)) continue;
    for (const m of event.data.metrics) {
      points.push({ runId: event.data.runId, key: m.key, value: fromStoredMetricValue(m.value), timestamp: m.timestamp, step: m.step });
    }
  }
  return points;
}

/** Postgres float8 order: NaN above every number. */
function compareValues(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** MLflow's "latest" metric: the largest (step, timestamp, value), not the last to arrive. */
export function compareMetricPoints(a: MetricPoint, b: MetricPoint): number {
  return a.step - b.step || a.timestamp - b.timestamp || compareValues(a.value, b.value);
}

/** Column arrays for one unnest() insert; float8 travels as text so NaN and ±Infinity survive. */
export function metricColumns(points: readonly MetricPoint[]): [string[], string[], number[], number[], string[]] {
  return [points.map((p) => p.runId), points.map((p) => p.key), points.map((p) => p.step), points.map((p) => p.timestamp), points.map((p) => String(p.value))];
}
