import type { SqlExecutor } from '../db/sqlDb.ts';
import { fromStoredMetricValue, type StoredMetricValue } from '../events/metricValue.ts';
import { MetricsLogged } from '../events/runEvents.ts';
import { compareMetricPoints, compareMetricValues, metricColumns, type MetricPoint } from './metricPoints.ts';
import { toNumber, type ReadModel } from './readModel.ts';

/** The latest value per run and key, chosen by MLflow's (step, timestamp, value) rule. */
export const latestMetricsReadModel: ReadModel = {
  name: 'latest_metrics',
  tables: ['latest_metrics'],
  schemaSql: `
    create table if not exists latest_metrics (
      run_id text not null,
      key text not null,
      step bigint not null,
      timestamp bigint not null,
      value double precision not null,
      primary key (run_id, key)
    );
    create index if not exists latest_metrics_by_key on latest_metrics (key, value);`,
  writeOnly: true,
  async apply(events, tx) {
    const best = new Map<string, MetricPoint>();
    for (const event of events) {
      if (!MetricsLogged.is(event)) continue;
      // Per event first (one run, a few keys, up to 1000 points): a point object and a
      // run-and-key string for every point made this the projection's costliest step.
      const byKey = new Map<string, StoredMetric>();
      for (const metric of event.data.metrics) {
        const current = byKey.get(metric.key);
        if (!current || compareStoredMetrics(metric, current) > 0) byKey.set(metric.key, metric);
      }
      for (const [key, metric] of byKey) {
        const point = { runId: event.data.runId, key, value: fromStoredMetricValue(metric.value), timestamp: metric.timestamp, step: metric.step };
        const id = `${point.runId}\u0000${key}`;
        const current = best.get(id);
        if (!current || compareMetricPoints(point, current) > 0) best.set(id, point);
      }
    }
    if (best.size === 0) return;
    await tx.query(
      `insert into latest_metrics (run_id, key, step, timestamp, value)
       select * from unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[]::float8[])
       on conflict (run_id, key) do update
         set step = excluded.step, timestamp = excluded.timestamp, value = excluded.value
         where (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`,
      metricColumns([...best.values()]),
    );
  },
};

interface StoredMetric {
  step: number;
  timestamp: number;
  value: StoredMetricValue;
}

/** compareMetricPoints on points as the event stores them. */
function compareStoredMetrics(a: StoredMetric, b: StoredMetric): number {
  return a.step - b.step || a.timestamp - b.timestamp || compareMetricValues(fromStoredMetricValue(a.value), fromStoredMetricValue(b.value));
}

export async function latestMetricsOfRuns(db: SqlExecutor, runIds: readonly string[]): Promise<Map<string, Omit<MetricPoint, 'runId'>[]>> {
  const { rows } = await db.query<{ runId: string; key: string; value: number; timestamp: unknown; step: unknown }>(
    `select run_id as "runId", key, value, timestamp, step from latest_metrics where run_id = any($1::text[]) order by key`,
    [runIds],
  );
  const byRun = new Map<string, Omit<MetricPoint, 'runId'>[]>(runIds.map((id) => [id, []]));
  for (const r of rows) byRun.get(r.runId)?.push({ key: r.key, value: Number(r.value), timestamp: toNumber(r.timestamp), step: toNumber(r.step) });
  return byRun;
}
