import type { SqlExecutor } from '../db/sqlDb.ts';
import type { JsonObject } from '../mlflow/mlflowJson.ts';
import type { RequestFields } from '../mlflow/requestFields.ts';
import { findRunById } from '../projections/runsReadModel.ts';
import { notFound } from '../tracking/domainError.ts';
import { joinArtifactPath, validArtifactDir } from './artifactPath.ts';
import type { ArtifactService } from './artifactService.ts';

const PROXIED = 'mlflow-artifacts:/';

/**
 * The tracking API's GET mlflow/artifacts/list (run_id, path): a run's files
 * with paths relative to the run's artifact root, plus that root. Only runs
 * whose artifacts go through this server's proxy have files to list here.
 */
export async function listRunArtifacts(readDb: SqlExecutor, artifacts: ArtifactService, fields: RequestFields): Promise<JsonObject> {
  const runId = fields.runId();
  const run = await findRunById(readDb, runId);
  if (!run) throw notFound('run_id', `Run with id=${runId} not found`);
  const dir = validArtifactDir(fields.optionalString('path'));
  if (!run.artifactUri.startsWith(PROXIED)) return { root_uri: run.artifactUri };
  const runRoot = run.artifactUri.slice(PROXIED.length).replace(/^\/+|\/+$/g, '');
  const entries = await artifacts.list(joinArtifactPath(runRoot, dir));
  return {
    root_uri: run.artifactUri,
    files: entries.length === 0 ? undefined : entries.map((entry) => ({ path: joinArtifactPath(dir, entry.path), is_dir: entry.isDir, file_size: entry.size })),
  };
}
