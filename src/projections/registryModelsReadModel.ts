import { sqlParameters } from '../db/sqlParameters.ts';
import type { SqlExecutor } from '../db/sqlDb.ts';
import type { RecordedEvent } from '../events/eventEnvelope.ts';
import {
  RegisteredModelCreated,
  RegisteredModelDeleted,
  RegisteredModelDescriptionUpdated,
  RegisteredModelRenamed,
  RegisteredModelTagDeleted,
  RegisteredModelTagSet,
} from '../events/registryEvents.ts';
import type { RegistryFilterClause, RegistryOrderTerm } from '../registry/registrySearchSyntax.ts';
import type { KeyValueRow } from './keyValueRows.ts';
import { lastByKey } from './keyValueRows.ts';
import { toNumber, type ReadModel } from './readModel.ts';

export interface RegisteredModelRow {
  modelId: string;
  name: string;
  description: string;
  userId: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
}

/** Registered models and their tags, as registered-models/get and search show them. */
export const registryModelsReadModel: ReadModel = {
  name: 'registered-models',
  tables: ['registered_models', 'registered_model_tags'],
  schemaSql: `
    create table if not exists registered_models (
      model_id text primary key,
      name text not null unique,
      description text not null,
      user_id text not null,
      creation_timestamp bigint not null,
      last_updated_timestamp bigint not null
    );
    create table if not exists registered_model_tags (
      model_id text not null,
      key text not null,
      value text not null,
      primary key (model_id, key)
    );`,
  async apply(events, tx) {
    for (const event of events) await applyOne(event, tx);
  },
};

async function applyOne(event: RecordedEvent, tx: SqlExecutor): Promise<void> {
  const at = Date.parse(event.metadata.recordedAt);
  if (RegisteredModelCreated.is(event)) {
    const d = event.data;
    await tx.query(`insert into registered_models values ($1, $2, $3, $4, $5, $5)`, [d.modelId, d.name, d.description, d.userId, d.creationTime]);
    if (d.tags.length > 0) {
      await tx.query(
        `insert into registered_model_tags select $1, key, value from jsonb_to_recordset($2::jsonb) as t(key text, value text)`,
        [d.modelId, JSON.stringify(lastByKey(d.tags))],
      );
    }
  } else if (RegisteredModelRenamed.is(event)) {
    await touchModel(tx, event.data.modelId, at, `name = $3`, [event.data.name]);
  } else if (RegisteredModelDeleted.is(event)) {
    await tx.query(`delete from registered_models where model_id = $1`, [event.data.modelId]);
    await tx.query(`delete from registered_model_tags where model_id = $1`, [event.data.modelId]);
  } else if (RegisteredModelDescriptionUpdated.is(event)) {
    await touchModel(tx, event.data.modelId, at, `description = $3`, [event.data.description]);
  } else if (RegisteredModelTagSet.is(event)) {
    await tx.query(
      `insert into registered_model_tags values ($1, $2, $3) on conflict (model_id, key) do update set value = excluded.value`,
      [event.data.modelId, event.data.key, event.data.value],
    );
    await touchModel(tx, event.data.modelId, at);
  } else if (RegisteredModelTagDeleted.is(event)) {
    await tx.query(`delete from registered_model_tags where model_id = $1 and key = $2`, [event.data.modelId, event.data.key]);
    await touchModel(tx, event.data.modelId, at);
  } else if (event.streamId.startsWith('registered-model-')) {
    // Version and alias changes update the model's last_updated_timestamp too, as in MLflow.
    const modelId = (event.data as { modelId?: string }).modelId;
    if (modelId) await touchModel(tx, modelId, at);
  }
}

export async function touchModel(tx: SqlExecutor, modelId: string, at: number, set?: string, extra: unknown[] = []): Promise<void> {
  await tx.query(
    `update registered_models set last_updated_timestamp = greatest(last_updated_timestamp, $2)${set ? `, ${set}` : ''} where model_id = $1`,
    [modelId, at, ...extra],
  );
}

////////// Queries

const columns = `m.model_id as "modelId", m.name, m.description, m.user_id as "userId",
  m.creation_timestamp as "creationTimestamp", m.last_updated_timestamp as "lastUpdatedTimestamp"`;

const toModel = (row: RegisteredModelRow): RegisteredModelRow => ({
  ...row,
  creationTimestamp: toNumber(row.creationTimestamp),
  lastUpdatedTimestamp: toNumber(row.lastUpdatedTimestamp),
});

export async function findRegisteredModel(db: SqlExecutor, name: string): Promise<RegisteredModelRow | undefined> {
  const { rows } = await db.query<RegisteredModelRow>(`select ${columns} from registered_models m where m.name = $1`, [name]);
  return rows[0] && toModel(rows[0]);
}

export async function registeredModelTags(db: SqlExecutor, modelIds: readonly string[]): Promise<Map<string, KeyValueRow[]>> {
  const { rows } = await db.query<{ modelId: string; key: string; value: string }>(
    `select model_id as "modelId", key, value from registered_model_tags where model_id = any($1::text[]) order by key collate "C"`,
    [modelIds],
  );
  const byId = new Map<string, KeyValueRow[]>(modelIds.map((id) => [id, []]));
  for (const row of rows) byId.get(row.modelId)?.push({ key: row.key, value: row.value });
  return byId;
}

const OPERATORS: Record<string, string> = { '=': '=', '!=': '<>', LIKE: 'like', ILIKE: 'ilike' };
const ORDER_COLUMNS: Record<string, string> = {
  name: 'm.name collate "C"',
  creation_timestamp: 'm.creation_timestamp',
  last_updated_timestamp: 'm.last_updated_timestamp',
};

export interface RegisteredModelSearch {
  clauses: readonly RegistryFilterClause[];
  orderBy: readonly RegistryOrderTerm[];
  limit: number;
  offset: number;
}

/** registered-models/search: caller values travel as $n parameters; SQL text comes from closed lists only. */
export async function searchRegisteredModels(db: SqlExecutor, search: RegisteredModelSearch): Promise<RegisteredModelRow[]> {
  const { params, param } = sqlParameters();
  const conditions = ['true'];
  for (const clause of search.clauses) {
    if (clause.kind === 'name') conditions.push(`m.name ${OPERATORS[clause.comparator]} ${param(clause.value)}`);
    else if (clause.kind === 'tag') {
      conditions.push(
        `exists (select 1 from registered_model_tags t where t.model_id = m.model_id and t.key = ${param(clause.key)} and t.value ${OPERATORS[clause.comparator]} ${param(clause.value)})`,
      );
    }
  }
  const orderings = search.orderBy.filter((t) => ORDER_COLUMNS[t.key]).map((t) => `${ORDER_COLUMNS[t.key]} ${t.ascending ? 'asc' : 'desc'}`);
  // MLflow's default and tie-breaker: by name, which is unique, so pages never overlap.
  if (!search.orderBy.some((t) => t.key === 'name')) orderings.push('m.name collate "C" asc');
  const { rows } = await db.query<RegisteredModelRow>(
    `select ${columns} from registered_models m where ${conditions.join(' and ')}
      order by ${orderings.join(', ')} limit ${param(search.limit)} offset ${param(search.offset)}`,
    params,
  );
  return rows.map(toModel);
}
