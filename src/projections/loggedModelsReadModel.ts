import type { SqlExecutor } from '../db/sqlDb.ts';
import type { RecordedEvent } from '../events/eventEnvelope.ts';
import type { StoredMetricValue } from '../events/metricValue.ts';
import {
  LoggedModelCreated,
  LoggedModelDeleted,
  LoggedModelFinalized,
  LoggedModelParamsLogged,
  LoggedModelTagDeleted,
  LoggedModelTagsSet,
  type LoggedModelStatus,
} from '../events/loggedModelEvents.ts';
import { MetricsLogged } from '../events/runEvents.ts';
import { lastByKey, type KeyValueRow } from './keyValueRows.ts';
import { toNumber, type ReadModel } from './readModel.ts';

export interface LoggedModelRow {
  modelId: string;
  experimentId: string;
  name: string;
  artifactLocation: string;
  modelType?: string;
  sourceRunId?: string;
  status: LoggedModelStatus;
  userId: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  lifecycleStage: 'active' | 'deleted';
}

/**
 * MLflow 3's logged models with their tags, params and metrics (LoggedModelInfo and
 * LoggedModelData). A model's metrics are the run metric points logged with its
 * model_id, one row per (model, key, timestamp, step, run, dataset): the first
 * point logged under such a key stands.
 */
export const loggedModelsReadModel: ReadModel = {
  name: 'logged_models',
  tables: ['logged_models', 'logged_model_tags', 'logged_model_params', 'logged_model_metrics'],
  schemaSql: `
    create table if not exists logged_models (
      model_id text primary key,
      experiment_id bigint not null,
      name text not null,
      artifact_location text not null,
      model_type text,
      source_run_id text,
      status text not null,
      user_id text not null,
      creation_timestamp bigint not null,
      last_updated_timestamp bigint not null,
      lifecycle_stage text not null
    );
    create index if not exists logged_models_by_experiment on logged_models (experiment_id, creation_timestamp desc, model_id);
    create index if not exists logged_models_by_source_run on logged_models (source_run_id, name);
    create table if not exists logged_model_tags (
      model_id text not null,
      key text not null,
      value text not null,
      primary key (model_id, key)
    );
    create table if not exists logged_model_params (
      model_id text not null,
      key text not null,
      value text not null,
      primary key (model_id, key)
    );
    create table if not exists logged_model_metrics (
      model_id text not null,
      key text not null,
      timestamp bigint not null,
      step bigint not null,
      run_id text not null,
      value double precision not null,
      dataset_name text,
      dataset_digest text
    );
    -- MLflow keys a point by (model, key, timestamp, step, run); the dataset is part of it here, so one
    -- evaluation logged on two datasets at the same moment keeps both points.
    create unique index if not exists logged_model_metrics_point on logged_model_metrics
      (model_id, key, timestamp, step, run_id, coalesce(dataset_name, ''), coalesce(dataset_digest, ''));`,
  writeOnly: true,
  async apply(events, tx) {
    for (const event of events) {
      if (LoggedModelCreated.is(event)) {
        const d = event.data;
        await tx.query(
          `insert into logged_models values ($1, $2, $3, $4, $5, $6, 'LOGGED_MODEL_PENDING', $7, $8, $8, 'active')`,
          [d.modelId, d.experimentId, d.name, d.artifactLocation, d.modelType ?? null, d.sourceRunId ?? null, d.userId, d.creationTime],
        );
        await upsertKeyValues(tx, 'logged_model_tags', d.modelId, d.tags);
        await upsertKeyValues(tx, 'logged_model_params', d.modelId, d.params);
      } else if (LoggedModelFinalized.is(event)) {
        await tx.query(`update logged_models set status = $2, last_updated_timestamp = $3 where model_id = $1`, [event.data.modelId, event.data.status, event.data.updatedTime]);
      } else if (LoggedModelTagsSet.is(event)) {
        await upsertKeyValues(tx, 'logged_model_tags', event.data.modelId, event.data.tags);
      } else if (LoggedModelTagDeleted.is(event)) {
        await tx.query(`delete from logged_model_tags where model_id = $1 and key = $2`, [event.data.modelId, event.data.key]);
      } else if (LoggedModelParamsLogged.is(event)) {
        await upsertKeyValues(tx, 'logged_model_params', event.data.modelId, event.data.params);
      } else if (LoggedModelDeleted.is(event)) {
        await tx.query(`update logged_models set lifecycle_stage = 'deleted', last_updated_timestamp = $2 where model_id = $1`, [event.data.modelId, event.data.deletedTime]);
      }
    }
    await insertModelMetrics(tx, modelMetricRowsOf(events));
  },
};

interface ModelMetricRow {
  model_id: string;
  key: string;
  timestamp: number;
  step: number;
  run_id: string;
  value: StoredMetricValue;
  dataset_name: string | null;
  dataset_digest: string | null;
}

/** The points of a batch that name a logged model; most name none, and cost nothing here. */
function modelMetricRowsOf(events: readonly RecordedEvent[]): ModelMetricRow[] {
  const rows: ModelMetricRow[] = [];
  for (const event of events) {
    if (!MetricsLogged.is(event)) continue;
    for (const m of event.data.metrics) {
      if (m.modelId === undefined) continue;
      rows.push({ model_id: m.modelId, key: m.key, timestamp: m.timestamp, step: m.step, run_id: event.data.runId, value: m.value, dataset_name: m.datasetName ?? null, dataset_digest: m.datasetDigest ?? null });
    }
  }
  return rows;
}

async function insertModelMetrics(tx: SqlExecutor, rows: readonly ModelMetricRow[]): Promise<void> {
  if (rows.length === 0) return;
  // NaN and the infinities travel as the strings float8 reads.
  await tx.query(
    `insert into logged_model_metrics (model_id, key, timestamp, step, run_id, value, dataset_name, dataset_digest)
     select model_id, key, timestamp, step, run_id, value::float8, dataset_name, dataset_digest
       from json_to_recordset($1::json) as t(model_id text, key text, timestamp bigint, step bigint, run_id text, value text, dataset_name text, dataset_digest text)
     on conflict do nothing`,
    [JSON.stringify(rows)],
  );
}

async function upsertKeyValues(tx: SqlExecutor, table: 'logged_model_tags' | 'logged_model_params', modelId: string, items: readonly KeyValueRow[]): Promise<void> {
  if (items.length === 0) return;
  await tx.query(
    `insert into ${table} select $1, key, value from jsonb_to_recordset($2::jsonb) as t(key text, value text)
      on conflict (model_id, key) do update set value = excluded.value`,
    [modelId, JSON.stringify(lastByKey(items))],
  );
}

////////// Queries

export const loggedModelColumns = `m.model_id as "modelId", m.experiment_id::text as "experimentId", m.name, m.artifact_location as "artifactLocation",
  m.model_type as "modelType", m.source_run_id as "sourceRunId", m.status, m.user_id as "userId",
  m.creation_timestamp as "creationTimestamp", m.last_updated_timestamp as "lastUpdatedTimestamp", m.lifecycle_stage as "lifecycleStage"`;

interface RawRow extends Omit<LoggedModelRow, 'modelType' | 'sourceRunId'> {
  modelType: string | null;
  sourceRunId: string | null;
}

export function toLoggedModelRow(row: RawRow): LoggedModelRow {
  return {
    ...row,
    modelType: row.modelType ?? undefined,
    sourceRunId: row.sourceRunId ?? undefined,
    creationTimestamp: toNumber(row.creationTimestamp),
    lastUpdatedTimestamp: toNumber(row.lastUpdatedTimestamp),
  };
}

/** Logged models by id, in the order asked; deleted ones only when asked for. */
export async function findLoggedModels(db: SqlExecutor, modelIds: readonly string[], options: { includeDeleted?: boolean } = {}): Promise<LoggedModelRow[]> {
  if (modelIds.length === 0) return [];
  const { rows } = await db.query<RawRow>(
    `select ${loggedModelColumns} from logged_models m where m.model_id = any($1::text[]) and ($2 or m.lifecycle_stage = 'active')`,
    [modelIds, options.includeDeleted ?? false],
  );
  const byId = new Map(rows.map((row) => [row.modelId, toLoggedModelRow(row)]));
  return modelIds.flatMap((id) => byId.get(id) ?? []);
}

export async function findLoggedModel(db: SqlExecutor, modelId: string, options: { includeDeleted?: boolean } = {}): Promise<LoggedModelRow | undefined> {
  return (await findLoggedModels(db, [modelId], options))[0];
}

async function keyValuesOf(db: SqlExecutor, table: 'logged_model_tags' | 'logged_model_params', modelIds: readonly string[]): Promise<Map<string, KeyValueRow[]>> {
  const { rows } = await db.query<KeyValueRow & { modelId: string }>(`select model_id as "modelId", key, value from ${table} where model_id = any($1::text[]) order by key`, [modelIds]);
  const byModel = new Map<string, KeyValueRow[]>(modelIds.map((id) => [id, []]));
  for (const { modelId, key, value } of rows) byModel.get(modelId)?.push({ key, value });
  return byModel;
}

export const tagsOfLoggedModels = (db: SqlExecutor, modelIds: readonly string[]) => keyValuesOf(db, 'logged_model_tags', modelIds);
export const paramsOfLoggedModels = (db: SqlExecutor, modelIds: readonly string[]) => keyValuesOf(db, 'logged_model_params', modelIds);

/**
 * The active logged models named `name` that a run produced: created with it as
 * source run, or logged as one of its outputs. The one logged at the largest
 * output step comes first (MLflow's choice when several match), then the newest.
 */
export async function loggedModelsOfRun(db: SqlExecutor, runId: string, name: string): Promise<LoggedModelRow[]> {
  const { rows } = await db.query<RawRow>(
    `select ${loggedModelColumns}
       from logged_models m
       left join (select model_id, max(step) as step from run_model_outputs where run_id = $1 group by model_id) o on o.model_id = m.model_id
      where m.name = $2 and m.lifecycle_stage = 'active' and (m.source_run_id = $1 or o.model_id is not null)
      order by o.step desc nulls last, m.creation_timestamp desc, m.model_id`,
    [runId, name],
  );
  return rows.map(toLoggedModelRow);
}

export interface LoggedModelMetricRow {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  runId: string;
  datasetName?: string;
  datasetDigest?: string;
}

/** Every metric point recorded on each model, by key, then dataset, step and time. */
export async function metricsOfLoggedModels(db: SqlExecutor, modelIds: readonly string[]): Promise<Map<string, LoggedModelMetricRow[]>> {
  const { rows } = await db.query<{ modelId: string; key: string; value: unknown; timestamp: unknown; step: unknown; runId: string; datasetName: string | null; datasetDigest: string | null }>(
    `select model_id as "modelId", key, value::text as value, timestamp, step, run_id as "runId", dataset_name as "datasetName", dataset_digest as "datasetDigest"
       from logged_model_metrics where model_id = any($1::text[])
      order by key collate "C", dataset_name collate "C" nulls first, dataset_digest collate "C" nulls first, step, timestamp, run_id`,
    [modelIds],
  );
  const byModel = new Map<string, LoggedModelMetricRow[]>(modelIds.map((id) => [id, []]));
  for (const r of rows) {
    byModel.get(r.modelId)?.push({
      key: r.key,
      value: Number(r.value),
      timestamp: toNumber(r.timestamp),
      step: toNumber(r.step),
      runId: r.runId,
      datasetName: r.datasetName ?? undefined,
      datasetDigest: r.datasetDigest ?? undefined,
    });
  }
  return byModel;
}
