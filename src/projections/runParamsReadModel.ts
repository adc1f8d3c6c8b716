import type { SqlExecutor } from '../db/sqlDb.ts';
import { ParamsLogged } from '../events/runEvents.ts';
import { groupByRun, type KeyValueRow } from './keyValueRows.ts';
import type { ReadModel } from './readModel.ts';

/** Params per run. They are write-once, so a row never changes. */
export const runParamsReadModel: ReadModel = {
  name: 'run_params',
  tables: ['run_params'],
  schemaSql: `
    create table if not exists run_params (
      run_id text not null,
      key text not null,
      value text not null,
      primary key (run_id, key)
    );`,
  writeOnly: true,
  async apply(events, tx) {
    const rows = events.filter(ParamsLogged.is).flatMap((e) => e.data.params.map((p) => ({ run_id: e.data.runId, key: p.key, value: p.value })));
    if (rows.length === 0) return;
    await tx.query(
      `insert into run_params select * from jsonb_to_recordset($1::jsonb) as p(run_id text, key text, value text) on conflict do nothing`,
      [JSON.stringify(rows)],
    );
  },
};

export async function paramsOfRuns(db: SqlExecutor, runIds: readonly string[]): Promise<Map<string, KeyValueRow[]>> {
  const { rows } = await db.query<KeyValueRow & { runId: string }>(
    `select run_id as "runId", key, value from run_params where run_id = any($1::text[]) order by key`,
    [runIds],
  );
  return groupByRun(runIds, rows);
}
