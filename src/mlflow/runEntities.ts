import type { SqlExecutor } from '../db/sqlDb.ts';
import { latestMetricsOfRuns } from '../projections/latestMetricsReadModel.ts';
import { paramsOfRuns } from '../projections/runParamsReadModel.ts';
import { findRunsByIds } from '../projections/runsReadModel.ts';
import { tagsOfRuns } from '../projections/runTagsReadModel.ts';
import { notFound } from '../tracking/domainError.ts';
import { runInfoJson, runJson, type JsonObject } from './mlflowJson.ts';

/** Whole MLflow Run objects for these ids, in the order given; unknown ids are left out. Four queries however many runs. */
export async function loadRuns(db: SqlExecutor, runIds: readonly string[]): Promise<JsonObject[]> {
  const rows = await findRunsByIds(db, runIds);
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.runId);
  const [params, tags, metrics] = await Promise.all([paramsOfRuns(db, ids), tagsOfRuns(db, ids), latestMetricsOfRuns(db, ids)]);
  return rows.map((row) =>
    runJson(row, { params: params.get(row.runId) ?? [], tags: tags.get(row.runId) ?? [], metrics: metrics.get(row.runId) ?? [] }),
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
