import type { SqlExecutor } from '../db/sqlDb.ts';
import { RunOutputsLogged } from '../events/runInputOutputEvents.ts';
import { toNumber, type ReadModel } from './readModel.ts';

/** The logged models each run produced, with the step they were logged at (MLflow's RunOutputs), in logging order (log position, then place in the event). */
export const runOutputsReadModel: ReadModel = {
  name: 'run_outputs',
  tables: ['run_model_outputs'],
  schemaSql: `
    create table if not exists run_model_outputs (
      run_id text not null,
      model_id text not null,
      step bigint not null,
      logged_at text not null,
      item int not null,
      primary key (run_id, model_id, step)
    );`,
  writeOnly: true,
  async apply(events, tx) {
    for (const event of events) {
      if (!RunOutputsLogged.is(event)) continue;
      await tx.query(
        `insert into run_model_outputs (run_id, model_id, step, logged_at, item)
         select $1, o."modelId", o.step, $3, o.n
           from rows from (jsonb_to_recordset($2::jsonb) as ("modelId" text, step bigint)) with ordinality as o("modelId", step, n)
         on conflict (run_id, model_id, step) do nothing`,
        [event.data.runId, JSON.stringify(event.data.models), event.position],
      );
    }
  },
};

export interface ModelOutput {
  modelId: string;
  step: number;
}

export async function outputsOfRuns(db: SqlExecutor, runIds: readonly string[]): Promise<Map<string, ModelOutput[]>> {
  const byRun = new Map<string, ModelOutput[]>(runIds.map((id) => [id, []]));
  if (runIds.length === 0) return byRun;
  const { rows } = await db.query<{ runId: string; modelId: string; step: unknown }>(
    `select run_id as "runId", model_id as "modelId", step from run_model_outputs where run_id = any($1::text[]) order by logged_at, item`,
    [runIds],
  );
  for (const row of rows) byRun.get(row.runId)?.push({ modelId: row.modelId, step: toNumber(row.step) });
  return byRun;
}
