import type { DatasetInput } from '../events/runInputOutputEvents.ts';
import type { ExperimentRow } from '../projections/experimentsReadModel.ts';
import type { RunRow } from '../projections/runsReadModel.ts';

/**
 * MLflow's JSON shapes (message_to_json): snake_case, int64 as numbers, enums by
 * name, unset fields and empty lists left out, NaN/±Infinity as strings.
 * A field set to undefined here is simply not written.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue | undefined;
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface MetricPointValue {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/** JSON has no NaN or infinities; protobuf's JSON (and MLflow) writes them as these strings. */
export function metricValueJson(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

export function metricJson(point: MetricPointValue, runId?: string): JsonObject {
  return { key: point.key, value: metricValueJson(point.value), timestamp: point.timestamp, step: point.step, run_id: runId };
}

/** Repeated fields: sorted by key (code-unit order, the same on every database), omitted when empty. */
export function byKey<T extends { key: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function repeated<T>(items: readonly T[], toJson: (item: T) => JsonObject): JsonObject[] | undefined {
  return items.length === 0 ? undefined : items.map(toJson);
}

const keyValueJson = (kv: KeyValue): JsonObject => ({ key: kv.key, value: kv.value });

export function experimentJson(row: ExperimentRow, tags: readonly KeyValue[]): JsonObject {
  return {
    experiment_id: row.experimentId,
    name: row.name,
    artifact_location: row.artifactLocation,
    lifecycle_stage: row.lifecycleStage,
    last_update_time: row.lastUpdateTime,
    creation_time: row.creationTime,
    tags: repeated(byKey(tags), keyValueJson),
  };
}

export function runInfoJson(row: RunRow): JsonObject {
  return {
    run_id: row.runId,
    run_uuid: row.runId,
    run_name: row.runName,
    experiment_id: row.experimentId,
    user_id: row.userId,
    status: row.status,
    start_time: row.startTime,
    end_time: row.endTime,
    artifact_uri: row.artifactUri,
    lifecycle_stage: row.lifecycleStage,
  };
}

export interface RunData {
  metrics: readonly MetricPointValue[];
  params: readonly KeyValue[];
  tags: readonly KeyValue[];
}

/** What a run consumed and produced. */
export interface RunInputsOutputs {
  datasets: readonly DatasetInput[];
  modelInputs: readonly string[];
  modelOutputs: readonly { modelId: string; step: number }[];
}

const NO_INPUTS_OUTPUTS: RunInputsOutputs = { datasets: [], modelInputs: [], modelOutputs: [] };

function datasetInputJson(input: DatasetInput): JsonObject {
  return {
    tags: repeated(input.tags, keyValueJson),
    dataset: { name: input.name, digest: input.digest, source_type: input.sourceType, source: input.source, schema: input.schema, profile: input.profile },
  };
}

/** MLflow's Run: info, data (the latest value of each metric), inputs (datasets, models) and outputs (models), in logging order. */
export function runJson(row: RunRow, data: RunData, io: RunInputsOutputs = NO_INPUTS_OUTPUTS): JsonObject {
  return {
    info: runInfoJson(row),
    data: {
      metrics: repeated(byKey(data.metrics), (m) => metricJson(m)),
      params: repeated(byKey(data.params), keyValueJson),
      tags: repeated(byKey(data.tags), keyValueJson),
    },
    inputs: {
      dataset_inputs: repeated(io.datasets, datasetInputJson),
      model_inputs: repeated(io.modelInputs, (modelId) => ({ model_id: modelId })),
    },
    outputs: { model_outputs: repeated(io.modelOutputs, (output) => ({ model_id: output.modelId, step: output.step })) },
  };
}
