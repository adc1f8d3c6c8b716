import type { SqlExecutor } from '../db/sqlDb.ts';
import { MonitorAlertStateChanged, type AlertState } from '../events/monitoringEvents.ts';
import type { ReadModel } from './readModel.ts';
import { toNumber, toOptionalNumber } from './readModel.ts';

export interface AlertTransitionRow {
  eventId: string;
  position: string;
  monitorId: string;
  monitorName: string;
  modelId: string;
  modelName: string;
  from: AlertState;
  to: AlertState;
  at: number;
  version: number;
  value?: number;
  baseline?: number;
  windowStart: number;
  windowEnd: number;
  count: number;
  labelCoverage?: number;
  reason: string;
}

/** Every alert transition, for alert history. */
export const monitoringAlertsReadModel: ReadModel = {
  name: 'monitoring-alerts',
  tables: ['monitoring_alert_transitions'],
  schemaSql: `
    create table if not exists monitoring_alert_transitions (
      event_id text primary key,
      position text not null,
      monitor_id text not null,
      monitor_name text not null,
      model_id text not null,
      model_name text not null,
      from_state text not null,
      to_state text not null,
      at bigint not null,
      version int not null,
      value float8,
      baseline float8,
      window_start bigint not null,
      window_end bigint not null,
      count bigint not null,
      label_coverage float8,
      reason text not null
    );
    create index if not exists monitoring_alert_transitions_by_monitor on monitoring_alert_transitions (monitor_id, position);
    create index if not exists monitoring_alert_transitions_by_model on monitoring_alert_transitions (model_id, position);`,
  async apply(events, tx) {
    for (const event of events) {
      if (!MonitorAlertStateChanged.is(event)) continue;
      const d = event.data;
      await tx.query(
        `insert into monitoring_alert_transitions values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) on conflict (event_id) do nothing`,
        [event.metadata.eventId, event.position, d.monitorId, d.monitorName, d.modelId, d.modelName, d.from, d.to, d.at, d.version, d.value, d.baseline, d.windowStart, d.windowEnd, d.count, d.labelCoverage, d.reason],
      );
    }
  },
};

interface RawTransition extends Omit<AlertTransitionRow, 'at' | 'version' | 'value' | 'baseline' | 'windowStart' | 'windowEnd' | 'count' | 'labelCoverage'> {
  at: unknown;
  version: unknown;
  value: unknown;
  baseline: unknown;
  windowStart: unknown;
  windowEnd: unknown;
  count: unknown;
  labelCoverage: unknown;
}

const columns = `event_id as "eventId", position, monitor_id as "monitorId", monitor_name as "monitorName", model_id as "modelId", model_name as "modelName",
  from_state as "from", to_state as "to", at, version, value, baseline, window_start as "windowStart", window_end as "windowEnd", count, label_coverage as "labelCoverage", reason`;

const toRow = (r: RawTransition): AlertTransitionRow => ({
  ...r,
  at: toNumber(r.at),
  version: toNumber(r.version),
  value: toOptionalNumber(r.value),
  baseline: toOptionalNumber(r.baseline),
  windowStart: toNumber(r.windowStart),
  windowEnd: toNumber(r.windowEnd),
  count: toNumber(r.count),
  labelCoverage: toOptionalNumber(r.labelCoverage),
});

/** Newest first, by monitor or by model; `before` pages by position. */
export async function alertHistory(db: SqlExecutor, filter: { monitorId?: string; modelId?: string; before?: string; limit: number }): Promise<AlertTransitionRow[]> {
  const { rows } = await db.query<RawTransition>(
    `select ${columns} from monitoring_alert_transitions
      where ($1::text is null or monitor_id = $1) and ($2::text is null or model_id = $2) and ($3::text is null or position < $3)
      order by position desc limit $4`,
    [filter.monitorId ?? null, filter.modelId ?? null, filter.before ?? null, filter.limit],
  );
  return rows.map(toRow);
}
