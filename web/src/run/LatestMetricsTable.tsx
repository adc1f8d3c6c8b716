import type { LiveCurves } from '../charts/liveCurves.ts';
import { useLiveVersion } from '../charts/useLiveVersion.ts';
import { formatTime, formatValue, type MetricValue } from '../lib/format.ts';

export interface LatestMetric {
  key: string;
  value: MetricValue;
  step: number;
  timestamp: number;
}

/** Each metric's latest value (MLflow's rule: largest step, then timestamp), kept current by live points. */
export function LatestMetricsTable({ runId, metrics, live }: { runId: string; metrics: readonly LatestMetric[]; live?: LiveCurves }) {
  useLiveVersion(live);
  const byKey = new Map(metrics.map((m) => [m.key, m]));
  for (const key of live?.keys(runId) ?? []) {
    const point = live!.latest(runId, key)!;
    const known = byKey.get(key);
    if (!known || point.step > known.step || (point.step === known.step && point.timestamp >= known.timestamp)) byKey.set(key, { ...point, key });
  }
  const rows = [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
  if (rows.length === 0) return <p class="muted">No metrics logged.</p>;
  return (
    <table class="grid" aria-label="Latest metrics">
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col">Latest value</th>
          <th scope="col">Step</th>
          <th scope="col">Logged</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((m) => (
          <tr key={m.key}>
            <th scope="row">{m.key}</th>
            <td class="num">{formatValue(m.value)}</td>
            <td class="num">{m.step}</td>
            <td>{formatTime(m.timestamp)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
