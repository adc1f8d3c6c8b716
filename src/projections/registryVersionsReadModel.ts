import { sqlParameters } from '../db/sqlParameters.ts';
import type { SqlExecutor } from '../db/sqlDb.ts';
import type { RecordedEvent } from '../events/eventEnvelope.ts';
import {
  ModelVersionCreated,
  ModelVersionDeleted,
  ModelVersionDescriptionUpdated,
  ModelVersionStageTransitioned,
  ModelVersionTagDeleted,
  ModelVersionTagSet,
  RegisteredModelDeleted,
} from '../events/registryEvents.ts';
import type { RegistryFilterClause, RegistryOrderTerm } from '../registry/registrySearchSyntax.ts';
import type { KeyValueRow } from './keyValueRows.ts';
import { lastByKey } from './keyValueRows.ts';
import { toNumber, type ReadModel } from './readModel.ts';

export interface ModelVersionRow {
  modelId: string;
  /** The model's current name (joined, so a rename shows at once). */
  name: string;
  version: number;
  source: string;
  storageLocation: string;
  runId?: string;
  runLink?: string;
  description: string;
  currentStage: string;
  status: 'READY';
  userId: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
}

/** Model versions and their tags. Versions are READY once created: we copy no files. */
export const registryVersionsReadModel: ReadModel = {
  name: 'model-versions',
  tables: ['model_versions', 'model_version_tags'],
  schemaSql: `
    create table if not exists model_versions (
      model_id text not null,
      version int not null,
      source text not null,
      storage_location text not null,
      run_id text,
      run_link text,
      description text not null,
      current_stage text not null,
      status text not null,
      user_id text not null,
      creation_timestamp bigint not null,
      last_updated_timestamp bigint not null,
      primary key (model_id, version)
    );
    create index if not exists model_versions_run on model_versions (run_id);
    create table if not exists model_version_tags (
      model_id text not null,
      version int not null,
      key text not null,
      value text not null,
      primary key (model_id, version, key)
    );`,
  async apply(events, tx) {
    for (const event of events) await applyOne(event, tx);
  },
};

async function applyOne(event: RecordedEvent, tx: SqlExecutor): Promise<void> {
  const at = Date.parse(event.metadata.recordedAt);
  if (ModelVersionCreated.is(event)) {
    const d = event.data;
    await tx.query(
      `insert into model_versions values ($1, $2, $3, $4, $5, $6, $7, 'None', 'READY', $8, $9, $9)`,
      [d.modelId, d.version, d.source, d.storageLocation, d.runId ?? null, d.runLink ?? null, d.description, d.userId, d.creationTime],
    );
    if (d.tags.length > 0) {
      await tx.query(
        `insert into model_version_tags select $1, $2, key, value from jsonb_to_recordset($3::jsonb) as t(key text, value text)`,
        [d.modelId, d.version, JSON.stringify(lastByKey(d.tags))],
      );
    }
  } else if (ModelVersionDescriptionUpdated.is(event)) {
    await touchVersion(tx, event.data.modelId, event.data.version, at, `description = $4`, [event.data.description]);
  } else if (ModelVersionStageTransitioned.is(event)) {
    await touchVersion(tx, event.data.modelId, event.data.version, at, `current_stage = $4`, [event.data.toStage]);
    for (const archived of event.data.archivedVersions ?? []) {
      await touchVersion(tx, event.data.modelId, archived.version, at, `current_stage = 'Archived'`);
    }
  } else if (ModelVersionTagSet.is(event)) {
    await tx.query(
      `insert into model_version_tags values ($1, $2, $3, $4) on conflict (model_id, version, key) do update set value = excluded.value`,
      [event.data.modelId, event.data.version, event.data.key, event.data.value],
    );
    await touchVersion(tx, event.data.modelId, event.data.version, at);
  } else if (ModelVersionTagDeleted.is(event)) {
    await tx.query(`delete from model_version_tags where model_id = $1 and version = $2 and key = $3`, [event.data.modelId, event.data.version, event.data.key]);
    await touchVersion(tx, event.data.modelId, event.data.version, at);
  } else if (ModelVersionDeleted.is(event)) {
    await tx.query(`delete from model_versions where model_id = $1 and version = $2`, [event.data.modelId, event.data.version]);
    await tx.query(`delete from model_version_tags where model_id = $1 and version = $2`, [event.data.modelId, event.data.version]);
  } else if (RegisteredModelDeleted.is(event)) {
    await tx.query(`delete from model_versions where model_id = $1`, [event.data.modelId]);
    await tx.query(`delete from model_version_tags where model_id = $1`, [event.data.modelId]);
  }
}

async function touchVersion(tx: SqlExecutor, modelId: string, version: number, at: number, set?: string, extra: unknown[] = []): Promise<void> {
  await tx.query(
    `update model_versions set last_updated_timestamp = greatest(last_updated_timestamp, $3)${set ? `, ${set}` : ''} where model_id = $1 and version = $2`,
    [modelId, version, at, ...extra],
  );
}

////////// Queries

const columns = `v.model_id as "modelId", m.name, v.version, v.source, v.storage_location as "storageLocation", v.run_id as "runId",
  v.run_link as "runLink", v.description, v.current_stage as "currentStage", v.status, v.user_id as "userId",
  v.creation_timestamp as "creationTimestamp", v.last_updated_timestamp as "lastUpdatedTimestamp"`;
const fromVersions = `model_versions v join registered_models m on m.model_id = v.model_id`;

interface RawVersionRow extends Omit<ModelVersionRow, 'runId' | 'runLink'> {
  runId: string | null;
  runLink: string | null;
}

const toVersion = (row: RawVersionRow): ModelVersionRow => ({
  ...row,
  version: toNumber(row.version),
  runId: row.runId ?? undefined,
  runLink: row.runLink ?? undefined,
  creationTimestamp: toNumber(row.creationTimestamp),
  lastUpdatedTimestamp: toNumber(row.lastUpdatedTimestamp),
});

export async function findModelVersion(db: SqlExecutor, name: string, version: number): Promise<ModelVersionRow | undefined> {
  const { rows } = await db.query<RawVersionRow>(`select ${columns} from ${fromVersions} where m.name = $1 and v.version = $2`, [name, version]);
  return rows[0] && toVersion(rows[0]);
}

export async function versionsOfModel(db: SqlExecutor, modelId: string): Promise<ModelVersionRow[]> {
  const { rows } = await db.query<RawVersionRow>(`select ${columns} from ${fromVersions} where v.model_id = $1 order by v.version`, [modelId]);
  return rows.map(toVersion);
}

/** The highest version in each stage (of those asked for; every stage when none are), per model. */
export async function latestVersions(db: SqlExecutor, modelIds: readonly string[], stages?: readonly string[]): Promise<Map<string, ModelVersionRow[]>> {
  const { rows } = await db.query<RawVersionRow>(
    `select * from (
       select distinct on (v.model_id, v.current_stage) ${columns} from ${fromVersions}
        where v.model_id = any($1::text[]) and ($2::text[] is null or v.current_stage = any($2::text[]))
        order by v.model_id, v.current_stage, v.version desc
     ) latest order by "version"`,
    [modelIds, stages && stages.length > 0 ? stages : null],
  );
  const byModel = new Map<string, ModelVersionRow[]>(modelIds.map((id) => [id, []]));
  for (const row of rows) byModel.get(row.modelId)?.push(toVersion(row));
  return byModel;
}

/** Tags per version, keyed "<modelId>/<version>". */
export async function modelVersionTags(db: SqlExecutor, versions: readonly { modelId: string; version: number }[]): Promise<Map<string, KeyValueRow[]>> {
  const keys = versions.map((v) => `${v.modelId}/${v.version}`);
  const { rows } = await db.query<{ id: string; key: string; value: string }>(
    `select model_id || '/' || version as id, key, value from model_version_tags
      where model_id || '/' || version = any($1::text[]) order by key collate "C"`,
    [keys],
  );
  const byVersion = new Map<string, KeyValueRow[]>(keys.map((k) => [k, []]));
  for (const row of rows) byVersion.get(row.id)?.push({ key: row.key, value: row.value });
  return byVersion;
}

const OPERATORS: Record<string, string> = { '=': '=', '!=': '<>', '>': '>', '>=': '>=', '<': '<', '<=': '<=', LIKE: 'like', ILIKE: 'ilike' };
const ORDER_COLUMNS: Record<string, string> = {
  name: 'm.name collate "C"',
  version_number: 'v.version',
  creation_timestamp: 'v.creation_timestamp',
  last_updated_timestamp: 'v.last_updated_timestamp',
};

export interface ModelVersionSearch {
  clauses: readonly RegistryFilterClause[];
  orderBy: readonly RegistryOrderTerm[];
  limit: number;
  offset: number;
}

/** model-versions/search: caller values travel as $n parameters; SQL text comes from closed lists only. */
export async function searchModelVersions(db: SqlExecutor, search: ModelVersionSearch): Promise<ModelVersionRow[]> {
  const { params, param } = sqlParameters();
  const conditions = ['true'];
  for (const clause of search.clauses) {
    if (clause.kind === 'name') conditions.push(`m.name ${OPERATORS[clause.comparator]} ${param(clause.value)}`);
    else if (clause.kind === 'source_path') conditions.push(`v.source ${OPERATORS[clause.comparator]} ${param(clause.value)}`);
    else if (clause.kind === 'version_number') conditions.push(`v.version ${OPERATORS[clause.comparator]} ${param(clause.value)}::numeric`);
    else if (clause.kind === 'run_id') {
      const negated = clause.comparator === '!=' || clause.comparator === 'NOT IN';
      conditions.push(`${negated ? 'not ' : ''}coalesce(v.run_id = any(${param(clause.value)}::text[]), false)`);
    } else {
      conditions.push(
        `exists (select 1 from model_version_tags t where t.model_id = v.model_id and t.version = v.version and t.key = ${param(clause.key)} and t.value ${OPERATORS[clause.comparator]} ${param(clause.value)})`,
      );
    }
  }
  const orderings = search.orderBy.map((t) => `${ORDER_COLUMNS[t.key]} ${t.ascending ? 'asc' : 'desc'}`);
  // Default: by name, newest version first; name and version together are unique, so pages never overlap.
  if (!search.orderBy.some((t) => t.key === 'name')) orderings.push('m.name collate "C" asc');
  if (!search.orderBy.some((t) => t.key === 'version_number')) orderings.push('v.version desc');
  const { rows } = await db.query<RawVersionRow>(
    `select ${columns} from ${fromVersions} where ${conditions.join(' and ')}
      order by ${orderings.join(', ')} limit ${param(search.limit)} offset ${param(search.offset)}`,
    params,
  );
  return rows.map(toVersion);
}
