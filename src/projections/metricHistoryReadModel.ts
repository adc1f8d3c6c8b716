import type { SqlExecutor } from '../db/sqlDb.ts';
import { metricColumns, metricPointsOf, type MetricPoint } from './metricPoints.ts';
import { toNumber, type ReadModel } from './readModel.ts';

/** Every metric point ever logged, with step and timestamp: MLflow's get-history. */
export const metricHistoryReadModel: ReadModel = {
  name: 'metric_history',
  tables: ['metric_history'],
  schemaSql: `
    create table if not exists metric_history (
      run_id text not null,
      key text not null,
      step bigint not null,
      timestamp bigint not null,
      value double precision not null
    );
    create index if not exists metric_history_by_key on metric_history (run_id, key, step, timestamp);`,
  async apply(events, tx) {
    const points = metricPointsOf(events);
    if (points.length === 0) return;
    // One statement per batch, however many points: the ingestion hot path.
    await tx.query(
      `insert into metric_history (run_id, key, step, timestamp, value)
       select * from unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[]::float8[])`,
      metricColumns(points),
    );
  },
};

/** One page of a metric's history in (step, timestamp) order. */
export async function metricHistory(
  db: SqlExecutor,
  runId: string,
  key: string,
  options: { limit: number; offset: number },
): Promise<Omit<MetricPoint, 'runId'>[]> {
  const { rows } = await db.query<{ key: string; value: number; timestamp: unknown; step: unknown }>(
    `select key, value, timestamp, step from metric_history where run_id = $1 and key = $2
      order by step, timestamp, value limit $3 offset $4`,
    [runId, key, options.limit, options.offset],
  );
  return rows.map((r) => ({ key: r.key, value: Number(r.value), timestamp: toNumber(r.timestamp), step: toNumber(r.step) }));
}
