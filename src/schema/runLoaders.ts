import type { SqlExecutor } from '../db/sqlDb.ts';
import type { KeyValueRow } from '../projections/keyValueRows.ts';
import { latestMetricsOfRuns } from '../projections/latestMetricsReadModel.ts';
import type { MetricPoint } from '../projections/metricPoints.ts';
import { paramsOfRuns } from '../projections/runParamsReadModel.ts';
import { findRunsByIds, type RunRow } from '../projections/runsReadModel.ts';
import { tagsOfRuns } from '../projections/runTagsReadModel.ts';
import { experimentTags } from '../projections/experimentsReadModel.ts';
import { BatchLoader } from './batchLoader.ts';

/** Per-request loaders: one query per field across every run in a response. */
export function createRunLoaders(db: SqlExecutor) {
  return {
    run: new BatchLoader<RunRow | undefined>(async (ids) => new Map((await findRunsByIds(db, ids)).map((r) => [r.runId, r])), undefined),
    params: new BatchLoader<KeyValueRow[]>((ids) => paramsOfRuns(db, ids), []),
    tags: new BatchLoader<KeyValueRow[]>((ids) => tagsOfRuns(db, ids), []),
    latestMetrics: new BatchLoader<Omit<MetricPoint, 'runId'>[]>((ids) => latestMetricsOfRuns(db, ids), []),
    experimentTags: new BatchLoader<KeyValueRow[]>((ids) => experimentTags(db, ids), []),
  };
}

export type RunLoaders = ReturnType<typeof createRunLoaders>;
