import type { SqlExecutor } from '../db/sqlDb.ts';
import type { JsonObject } from '../mlflow/mlflowJson.ts';
import type { RequestFields } from '../mlflow/requestFields.ts';
import { findRunById } from '../projections/runsReadModel.ts';
import { notFound } from '../tracking/domainError.ts';
import { joinArtifactPath, validArtifactDir } from './artifactPath.ts';
import type { ArtifactService } from './artifactService.ts';
import { proxiedArtifactRoot } from './proxiedArtifactRoot.ts';

/**
 * MLflow's ListArtifacts answer for an artifact root (a run's or a logged model's):
 * the direct children of dir, with paths relative to the root, plus the root itself.
 * Roots in either proxied form, 'mlflow-artifacts:/…' or host-qualified
 * 'mlflow-artifacts://host:port/…', are read from this server's store; roots kept
 * elsewhere (s3://, file:) have no files this server can list.
 */
export async function listArtifactsUnder(artifacts: ArtifactService, rootUri: string, directory: string | undefined): Promise<JsonObject> {
  const dir = validArtifactDir(directory);
  const root = proxiedArtifactRoot(rootUri);
  if (root === undefined) return { root_uri: rootUri };
  const entries = await artifacts.list(joinArtifactPath(root, dir));
  return {
    root_uri: rootUri,
    files: entries.length === 0 ? undefined : entries.map((entry) => ({ path: joinArtifactPath(dir, entry.path), is_dir: entry.isDir, file_size: entry.size })),
  };
}

/** The tracking API's GET mlflow/artifacts/list (run_id, path): a run's files under its artifact root. */
export async function listRunArtifacts(readDb: SqlExecutor, artifacts: ArtifactService, fields: RequestFields): Promise<JsonObject> {
  const runId = fields.runId();
  const run = await findRunById(readDb, runId);
  if (!run) throw notFound('run_id', `Run with id=${runId} not found`);
  return listArtifactsUnder(artifacts, run.artifactUri, fields.optionalString('path'));
}
