import { fromStoredMetricValue } from '../events/metricValue.ts';
import { MetricsLogged, runStream } from '../events/runEvents.ts';
import type { MetricPoint } from '../projections/metricPoints.ts';
import type { LiveSpec } from './liveSpec.ts';
import { streamRoute } from './routeKeys.ts';

/** The points of one MetricsLogged event, exactly as logged (the read models may not have them yet). */
export interface RunMetricsPayload {
  cursor: string;
  runId: string;
  recordedAt: string;
  points: Omit<MetricPoint, 'runId'>[];
}

/** Metric points of some runs, optionally only some keys. */
export function runMetricsSpec(runIds: readonly string[], keys?: readonly string[]): LiveSpec<RunMetricsPayload> {
  const wanted = keys && keys.length > 0 ? new Set(keys) : undefined;
  const runs = [...new Set(runIds)].sort();
  const wantedRuns = new Set(runs);
  return {
    key: `metrics\u0000${runs.join(',')}\u0000${wanted ? [...wanted].sort().join('\u0001') : '*'}`,
    routes: runs.map((id) => streamRoute(runStream(id))),
    streams: runs.map(runStream),
    select(event) {
      if (!MetricsLogged.is(event) || !wantedRuns.has(event.data.runId)) return undefined;
      const points: Omit<MetricPoint, 'runId'>[] = [];
      for (const m of event.data.metrics) {
        if (!wanted || wanted.has(m.key)) points.push({ key: m.key, value: fromStoredMetricValue(m.value), timestamp: m.timestamp, step: m.step });
      }
      if (points.length === 0) return undefined;
      return { cursor: event.position, runId: event.data.runId, recordedAt: event.metadata.recordedAt, points };
    },
    weight: (payload) => payload.points.length,
  };
}
