import type { SqlExecutor } from '../db/sqlDb.ts';
import { RunCreated, RunTagDeleted, RunTagsSet, RunUpdated } from '../events/runEvents.ts';
import { RUN_NAME_TAG } from '../tracking/runCommands.ts';
import { groupByRun, lastByKey, type KeyValueRow } from './keyValueRows.ts';
import type { ReadModel } from './readModel.ts';

/** Current tags per run (set overwrites, delete removes); mlflow.runName follows renames. */
export const runTagsReadModel: ReadModel = {
  name: 'run_tags',
  tables: ['run_tags'],
  schemaSql: `
    create table if not exists run_tags (
      run_id text not null,
      key text not null,
      value text not null,
      primary key (run_id, key)
    );`,
  writeOnly: true,
  async apply(events, tx) {
    for (const event of events) {
      if (RunCreated.is(event) || RunTagsSet.is(event)) {
        if (event.data.tags.length === 0) continue;
        await tx.query(
          `insert into run_tags select $1, key, value from jsonb_to_recordset($2::jsonb) as t(key text, value text)
            on conflict (run_id, key) do update set value = excluded.value`,
          [event.data.runId, JSON.stringify(lastByKey(event.data.tags))],
        );
      } else if (RunUpdated.is(event) && event.data.runName) {
        await tx.query(
          `insert into run_tags values ($1, $2, $3) on conflict (run_id, key) do update set value = excluded.value`,
          [event.data.runId, RUN_NAME_TAG, event.data.runName],
        );
      } else if (RunTagDeleted.is(event)) {
        await tx.query(`delete from run_tags where run_id = $1 and key = $2`, [event.data.runId, event.data.key]);
      }
    }
  },
};

export async function tagsOfRuns(db: SqlExecutor, runIds: readonly string[]): Promise<Map<string, KeyValueRow[]>> {
  const { rows } = await db.query<KeyValueRow & { runId: string }>(
    `select run_id as "runId", key, value from run_tags where run_id = any($1::text[]) order by key`,
    [runIds],
  );
  return groupByRun(runIds, rows);
}
