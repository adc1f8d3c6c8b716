import type { SqlExecutor } from '../db/sqlDb.ts';
import { RunInputsLogged, type DatasetInput } from '../events/runInputOutputEvents.ts';
import type { ReadModel } from './readModel.ts';

/**
 * A run's dataset and model inputs (MLflow's RunInputs), in the order they were logged:
 * by the event's log position and the item's place in it, so a rebuild orders them alike.
 */
export const runInputsReadModel: ReadModel = {
  name: 'run_inputs',
  tables: ['run_dataset_inputs', 'run_model_inputs'],
  schemaSql: `
    create table if not exists run_dataset_inputs (
      run_id text not null,
      name text not null,
      digest text not null,
      source_type text not null,
      source text not null,
      schema text,
      profile text,
      tags jsonb not null,
      logged_at text not null,
      item int not null,
      primary key (run_id, name, digest)
    );
    create table if not exists run_model_inputs (
      run_id text not null,
      model_id text not null,
      logged_at text not null,
      item int not null,
      primary key (run_id, model_id)
    );`,
  writeOnly: true,
  async apply(events, tx) {
    for (const event of events) {
      if (!RunInputsLogged.is(event)) continue;
      const { runId, datasets, modelIds } = event.data;
      if (datasets.length > 0) {
        await tx.query(
          `insert into run_dataset_inputs (run_id, name, digest, source_type, source, schema, profile, tags, logged_at, item)
           select $1, d.name, d.digest, d."sourceType", d.source, d.schema, d.profile, coalesce(d.tags, '[]'::jsonb), $3, d.n
             from rows from (jsonb_to_recordset($2::jsonb) as (name text, digest text, "sourceType" text, source text, schema text, profile text, tags jsonb))
                  with ordinality as d(name, digest, "sourceType", source, schema, profile, tags, n)
            order by d.n
           on conflict (run_id, name, digest) do nothing`,
          [runId, JSON.stringify(datasets), event.position],
        );
      }
      if (modelIds.length > 0) {
        await tx.query(
          `insert into run_model_inputs (run_id, model_id, logged_at, item) select $1, m.id, $3, m.n from unnest($2::text[]) with ordinality as m(id, n)
           on conflict (run_id, model_id) do nothing`,
          [runId, modelIds, event.position],
        );
      }
    }
  },
};

export interface RunInputs {
  datasets: DatasetInput[];
  modelIds: string[];
}

/** Inputs of each run asked about (an entry for every one, possibly empty). */
export async function inputsOfRuns(db: SqlExecutor, runIds: readonly string[]): Promise<Map<string, RunInputs>> {
  const byRun = new Map<string, RunInputs>(runIds.map((id) => [id, { datasets: [], modelIds: [] }]));
  if (runIds.length === 0) return byRun;
  const [datasets, models] = await Promise.all([
    db.query<DatasetInput & { runId: string; schema: string | null; profile: string | null }>(
      `select run_id as "runId", name, digest, source_type as "sourceType", source, schema, profile, tags
         from run_dataset_inputs where run_id = any($1::text[]) order by logged_at, item`,
      [runIds],
    ),
    db.query<{ runId: string; modelId: string }>(`select run_id as "runId", model_id as "modelId" from run_model_inputs where run_id = any($1::text[]) order by logged_at, item`, [runIds]),
  ]);
  for (const { runId, schema, profile, ...dataset } of datasets.rows) {
    byRun.get(runId)?.datasets.push({ ...dataset, schema: schema ?? undefined, profile: profile ?? undefined });
  }
  for (const { runId, modelId } of models.rows) byRun.get(runId)?.modelIds.push(modelId);
  return byRun;
}
