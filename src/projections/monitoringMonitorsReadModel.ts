import type { SqlExecutor } from '../db/sqlDb.ts';
import { MonitorAlertStateChanged, MonitorCreated, MonitorDeleted, type AlertState, type MonitorDefinition } from '../events/monitoringEvents.ts';
import type { ReadModel } from './readModel.ts';
import { toNumber } from './readModel.ts';

export interface MonitorRow {
  definition: MonitorDefinition;
  /** The model's current name (joined from the registry). */
  modelName: string;
  state: AlertState;
  stateSince: number;
}

/** Monitors (deleted ones drop out) with the state of their alert. */
export const monitoringMonitorsReadModel: ReadModel = {
  name: 'monitoring-monitors',
  tables: ['monitoring_monitors'],
  schemaSql: `
    create table if not exists monitoring_monitors (
      monitor_id text primary key,
      name text not null,
      model_id text not null,
      definition jsonb not null,
      state text not null,
      state_since bigint not null,
      deleted boolean not null default false
    );
    create index if not exists monitoring_monitors_by_model on monitoring_monitors (model_id);`,
  async apply(events, tx) {
    for (const event of events) {
      if (MonitorCreated.is(event)) {
        const d = event.data;
        await tx.query(`insert into monitoring_monitors values ($1, $2, $3, $4::jsonb, 'ok', $5, false) on conflict (monitor_id) do nothing`, [
          d.monitorId,
          d.name,
          d.modelId,
          JSON.stringify(d),
          d.createdAt,
        ]);
      } else if (MonitorDeleted.is(event)) {
        await tx.query(`update monitoring_monitors set deleted = true where monitor_id = $1`, [event.data.monitorId]);
      } else if (MonitorAlertStateChanged.is(event)) {
        await tx.query(`update monitoring_monitors set state = $2, state_since = $3 where monitor_id = $1`, [event.data.monitorId, event.data.to, event.data.at]);
      }
    }
  },
};

interface RawMonitor {
  definition: MonitorDefinition;
  modelName: string | null;
  state: AlertState;
  stateSince: unknown;
}

const toRow = (r: RawMonitor): MonitorRow => ({ definition: r.definition, modelName: r.modelName ?? r.definition.modelId, state: r.state, stateSince: toNumber(r.stateSince) });
const columns = `mm.definition, m.name as "modelName", mm.state, mm.state_since as "stateSince"`;
const fromMonitors = `monitoring_monitors mm left join registered_models m on m.model_id = mm.model_id`;

export async function activeMonitors(db: SqlExecutor, modelId?: string): Promise<MonitorRow[]> {
  const { rows } = await db.query<RawMonitor>(
    `select ${columns} from ${fromMonitors} where not mm.deleted and ($1::text is null or mm.model_id = $1) order by mm.name collate "C", mm.monitor_id`,
    [modelId ?? null],
  );
  return rows.map(toRow);
}

export async function findMonitor(db: SqlExecutor, monitorId: string): Promise<MonitorRow | undefined> {
  const { rows } = await db.query<RawMonitor>(`select ${columns} from ${fromMonitors} where mm.monitor_id = $1 and not mm.deleted`, [monitorId]);
  return rows[0] && toRow(rows[0]);
}

export async function existingMonitorIds(db: SqlExecutor, monitorIds: readonly string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>(`select monitor_id as id from monitoring_monitors where monitor_id = any($1::text[]) and not deleted`, [monitorIds]);
  return new Set(rows.map((r) => r.id));
}
