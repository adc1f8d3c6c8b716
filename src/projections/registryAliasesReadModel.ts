import type { SqlExecutor } from '../db/sqlDb.ts';
import { ModelVersionAliasDeleted, ModelVersionAliasSet, RegisteredModelDeleted } from '../events/registryEvents.ts';
import type { ReadModel } from './readModel.ts';
import { toNumber } from './readModel.ts';

export interface AliasRow {
  alias: string;
  version: number;
}

/** Which version each alias of a model points at now. */
export const registryAliasesReadModel: ReadModel = {
  name: 'registered-model-aliases',
  tables: ['registered_model_aliases'],
  schemaSql: `
    create table if not exists registered_model_aliases (
      model_id text not null,
      alias text not null,
      version int not null,
      primary key (model_id, alias)
    );`,
  async apply(events, tx) {
    for (const event of events) {
      if (ModelVersionAliasSet.is(event)) {
        await tx.query(
          `insert into registered_model_aliases values ($1, $2, $3) on conflict (model_id, alias) do update set version = excluded.version`,
          [event.data.modelId, event.data.alias, event.data.version],
        );
      } else if (ModelVersionAliasDeleted.is(event)) {
        await tx.query(`delete from registered_model_aliases where model_id = $1 and alias = $2`, [event.data.modelId, event.data.alias]);
      } else if (RegisteredModelDeleted.is(event)) {
        await tx.query(`delete from registered_model_aliases where model_id = $1`, [event.data.modelId]);
      }
    }
  },
};

////////// Queries

export async function aliasesOfModels(db: SqlExecutor, modelIds: readonly string[]): Promise<Map<string, AliasRow[]>> {
  const { rows } = await db.query<{ modelId: string; alias: string; version: number }>(
    `select model_id as "modelId", alias, version from registered_model_aliases where model_id = any($1::text[]) order by alias collate "C"`,
    [modelIds],
  );
  const byModel = new Map<string, AliasRow[]>(modelIds.map((id) => [id, []]));
  for (const row of rows) byModel.get(row.modelId)?.push({ alias: row.alias, version: toNumber(row.version) });
  return byModel;
}

/** The version an alias points at, by model name; undefined when the model or alias does not exist. */
export async function versionOfAlias(db: SqlExecutor, name: string, alias: string): Promise<number | undefined> {
  const { rows } = await db.query<{ version: number }>(
    `select a.version from registered_model_aliases a join registered_models m on m.model_id = a.model_id where m.name = $1 and a.alias = $2`,
    [name, alias],
  );
  return rows[0] && toNumber(rows[0].version);
}
