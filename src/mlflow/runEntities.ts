import type { SqlExecutor } from '../db/sqlDb.ts';
import { latestMetricsOfRuns } from '../projections/latestMetricsReadModel.ts';
import { inputsOfRuns } from '../projections/runInputsReadModel.ts';
import { outputsOfRuns } from '../projections/runOutputsReadModel.ts';
import { paramsOfRuns } from '../projections/runParamsReadModel.ts';
import { findRunsByIds, type RunRow } from '../projections/runsReadModel.ts';
import { tagsOfRuns } from '../projections/runTagsReadModel.ts';
import { notFound } from '../tracking/domainError.ts';
import { runInfoJson, runJson, type JsonObject } from './mlflowJson.ts';

/** Whole MLflow Run objects for these ids, in the order given; unknown ids are left out. Seven queries however many runs. */
export async function loadRuns(db: SqlExecutor, runIds: readonly string[]): Promise<JsonObject[]> {
  return runsJson(db, await findRunsByIds(db, runIds));
}

/** Whole Run objects for run rows already read (a search page): their params, tags, metrics, inputs and outputs. */
export async function runsJson(db: SqlExecutor, rows: readonly RunRow[]): Promise<JsonObject[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.runId);
  const [params, tags, metrics, inputs, outputs] = await Promise.all([
    paramsOfRuns(db, ids),
    tagsOfRuns(db, ids),
    latestMetricsOfRuns(db, ids),
    inputsOfRuns(db, ids),
    outputsOfRuns(db, ids),
  ]);
  return rows.map((row) =>
    runJson(
      row,
      { params: params.get(row.runId) ?? [], tags: tags.get(row.runId) ?? [], metrics: metrics.get(row.runId) ?? [] },
      {
        datasets: inputs.get(row.runId)?.datasets ?? [],
        modelInputs: inputs.get(row.runId)?.modelIds ?? [],
        modelOutputs: outputs.get(row.runId) ?? [],
      },
    ),
  );
}

export async function loadRun(db: SqlExecutor, runId: string): Promise<JsonObject> {
  const [run] = await loadRuns(db, [runId]);
  if (!run) throw notFound('run_id', `Run with id=${runId} not found`);
  return run;
}

export async function loadRunInfo(db: SqlExecutor, runId: string): Promise<JsonObject> {
  const [row] = await findRunsByIds(db, [runId]);
  if (!row) throw notFound('run_id', `Run with id=${runId} not found`);
  return runInfoJson(row);
}
