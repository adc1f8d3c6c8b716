import type { SqlExecutor } from '../db/sqlDb.ts';
import {
  findLoggedModel,
  findLoggedModels,
  metricsOfLoggedModels,
  paramsOfLoggedModels,
  tagsOfLoggedModels,
  type LoggedModelMetricRow,
  type LoggedModelRow,
} from '../projections/loggedModelsReadModel.ts';
import type { KeyValueRow } from '../projections/keyValueRows.ts';
import { loggedModelNotFound } from '../tracking/loggedModelCommands.ts';
import { byKey, metricValueJson, repeated, type JsonObject } from './mlflowJson.ts';

/** MLflow 3's LoggedModel message (info + data) as JSON; see mlflowJson.ts for the conventions. */

const keyValueJson = (kv: KeyValueRow): JsonObject => ({ key: kv.key, value: kv.value });

/** MLflow's Metric message as a logged model carries it: with the run, model and dataset it belongs to. */
const modelMetricJson = (modelId: string) => (m: LoggedModelMetricRow): JsonObject => ({
  key: m.key,
  value: metricValueJson(m.value),
  timestamp: m.timestamp,
  step: m.step,
  dataset_name: m.datasetName,
  dataset_digest: m.datasetDigest,
  model_id: modelId,
  run_id: m.runId,
});

export function loggedModelJson(row: LoggedModelRow, tags: readonly KeyValueRow[], params: readonly KeyValueRow[], metrics: readonly LoggedModelMetricRow[] = []): JsonObject {
  return {
    info: {
      model_id: row.modelId,
      experiment_id: row.experimentId,
      name: row.name,
      creation_timestamp_ms: row.creationTimestamp,
      last_updated_timestamp_ms: row.lastUpdatedTimestamp,
      artifact_uri: row.artifactLocation,
      status: row.status,
      model_type: row.modelType,
      source_run_id: row.sourceRunId,
      tags: repeated(byKey(tags), keyValueJson),
    },
    // Every point logged with this model_id, as MLflow's SqlLoggedModel lists its metrics (not only the latest).
    data: { params: repeated(byKey(params), keyValueJson), metrics: repeated(metrics, modelMetricJson(row.modelId)) },
  };
}

/** Models with their tags, params and metrics, in the order given: three queries however many there are. */
export async function loggedModelsJson(db: SqlExecutor, rows: readonly LoggedModelRow[]): Promise<JsonObject[]> {
  const ids = rows.map((row) => row.modelId);
  const [tags, params, metrics] = await Promise.all([tagsOfLoggedModels(db, ids), paramsOfLoggedModels(db, ids), metricsOfLoggedModels(db, ids)]);
  return rows.map((row) => loggedModelJson(row, tags.get(row.modelId) ?? [], params.get(row.modelId) ?? [], metrics.get(row.modelId) ?? []));
}

export async function loadLoggedModel(db: SqlExecutor, modelId: string, options: { includeDeleted?: boolean } = {}): Promise<JsonObject> {
  const row = await findLoggedModel(db, modelId, options);
  if (!row) throw loggedModelNotFound(modelId);
  const [json] = await loggedModelsJson(db, [row]);
  return json;
}

export async function loadLoggedModels(db: SqlExecutor, modelIds: readonly string[]): Promise<JsonObject[]> {
  return loggedModelsJson(db, await findLoggedModels(db, modelIds));
}
