import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findExperimentByName, listExperiments, type ExperimentRow } from '../projections/experimentsReadModel.ts';
import { latestMetricsOfRuns } from '../projections/latestMetricsReadModel.ts';
import { checkReadModelOrigin } from '../projections/readModelOrigin.ts';
import { paramsOfRuns } from '../projections/runParamsReadModel.ts';
import { findRunsByIds } from '../projections/runsReadModel.ts';
import { tagsOfRuns } from '../projections/runTagsReadModel.ts';
import { compileRunSearch } from '../search/compileRunSearch.ts';
import { SearchSyntaxError } from '../search/searchErrors.ts';
import { eventStoreFactory } from '../server/eventStoreFactory.ts';
import { openBackend, type Backend } from '../server/openBackend.ts';
import { resolveStoreConfig } from '../server/serverConfig.ts';
import { invalidSearchMessage, type ExperimentSummary, type LifecycleView, type RunQuery, type RunSummary, type TrackingReader } from './trackingReader.ts';

const EXPERIMENT_PAGE = 1000;

/**
 * Reads the read models in the database itself: Postgres when DATABASE_URL is
 * set, else the embedded PGlite in the data folder, which only one process may
 * hold, so this fails with the lock's message while a server runs on it. Events
 * come from the configured event store (--event-store, MLLEDGER_EVENT_STORE), as
 * for `serve`: projecting another log into these read models would mix two histories.
 */
export async function openDirectTrackingReader(options: { dataDir: string; eventStore?: string }): Promise<TrackingReader> {
  const backend = await openReadBackend(options);
  try {
    await checkReadModelOrigin(backend.db, backend.store);
    // The log is the truth: project whatever a stopped server left unprojected before reading.
    await backend.projector.start();
    await backend.projector.catchUp();
  } catch (error) {
    await backend.close();
    throw error;
  }
  return new DirectTrackingReader(backend);
}

async function openReadBackend(options: { dataDir: string; eventStore?: string }): Promise<Backend> {
  const config = resolveStoreConfig(options, process.env);
  const createEventStore = eventStoreFactory(config.eventStore);
  if (config.postgres) return openBackend({ databaseUrl: config.postgres.connectionString, schema: config.schema, createEventStore, startProjector: false });
  // Opening a missing folder would create an empty database there: refuse instead, a typo is likelier.
  if (!existsSync(join(config.dataDir, 'pglite'))) {
    throw new Error(`No mlledger data in ${config.dataDir}; pass --data-dir <dir>, set DATABASE_URL, or use --tracking-uri <url> of a running server.`);
  }
  try {
    return await openBackend({ dataDir: config.dataDir, createEventStore, startProjector: false });
  } catch (error) {
    if (error instanceof Error && /is in use by process/.test(error.message)) {
      throw new Error(`${error.message} Or read through that server with --tracking-uri http://<host>:<port>.`);
    }
    throw error;
  }
}

class DirectTrackingReader implements TrackingReader {
  constructor(private readonly backend: Backend) {}

  async listExperiments(view: LifecycleView): Promise<ExperimentSummary[]> {
    const all: ExperimentSummary[] = [];
    for (let offset = 0; ; offset += EXPERIMENT_PAGE) {
      const page = await listExperiments(this.backend.db, { viewType: view, limit: EXPERIMENT_PAGE, offset });
      all.push(...page.map(toSummary));
      if (page.length < EXPERIMENT_PAGE) return all;
    }
  }

  async findExperimentByName(name: string): Promise<ExperimentSummary | undefined> {
    const row = await findExperimentByName(this.backend.db, name);
    return row && toSummary(row);
  }

  async searchRuns(query: RunQuery): Promise<RunSummary[]> {
    let compiled;
    try {
      compiled = compileRunSearch({ experimentIds: query.experimentIds, filter: query.filter, orderBy: query.orderBy, viewType: query.view, limit: query.maxResults, offset: 0 });
    } catch (error) {
      if (error instanceof SearchSyntaxError) throw new Error(invalidSearchMessage(error.field, error.message));
      throw error;
    }
    const db = this.backend.db;
    const { rows } = await db.query<{ run_id: string }>(compiled.sql, compiled.params);
    const runIds = rows.map((row) => row.run_id);
    const [runs, metrics, params, tags] = await Promise.all([findRunsByIds(db, runIds), latestMetricsOfRuns(db, runIds), paramsOfRuns(db, runIds), tagsOfRuns(db, runIds)]);
    return runs.map((run) => ({
      runId: run.runId,
      experimentId: run.experimentId,
      runName: run.runName,
      status: run.status,
      lifecycleStage: run.lifecycleStage,
      artifactUri: run.artifactUri,
      startTime: run.startTime,
      endTime: run.endTime,
      metrics: (metrics.get(run.runId) ?? []).map(({ key, value }) => ({ key, value })),
      params: params.get(run.runId) ?? [],
      tags: tags.get(run.runId) ?? [],
    }));
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

function toSummary(row: ExperimentRow): ExperimentSummary {
  return { experimentId: row.experimentId, name: row.name, lifecycleStage: row.lifecycleStage, artifactLocation: row.artifactLocation, creationTime: row.creationTime };
}
