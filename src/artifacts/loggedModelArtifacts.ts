import type { SqlExecutor } from '../db/sqlDb.ts';
import type { JsonObject } from '../mlflow/mlflowJson.ts';
import { findLoggedModel } from '../projections/loggedModelsReadModel.ts';
import { invalid } from '../tracking/domainError.ts';
import { loggedModelNotFound } from '../tracking/loggedModelCommands.ts';
import { joinArtifactPath, validArtifactPath } from './artifactPath.ts';
import type { ArtifactService } from './artifactService.ts';
import { proxiedArtifactRoot } from './proxiedArtifactRoot.ts';
import { listArtifactsUnder } from './runArtifactListing.ts';

/** GET mlflow/logged-models/{id}/artifacts/directories: a logged model's files, paths relative to its artifact location. */
export async function listLoggedModelArtifacts(readDb: SqlExecutor, artifacts: ArtifactService, modelId: string, directory: string | undefined): Promise<JsonObject> {
  const model = await findLoggedModel(readDb, modelId);
  if (!model) throw loggedModelNotFound(modelId);
  return listArtifactsUnder(artifacts, model.artifactLocation, directory);
}

/** The store path of one file of a logged model (the UI's artifacts/files route), for models kept by this server. */
export async function loggedModelFilePath(readDb: SqlExecutor, modelId: string, file: string): Promise<string> {
  if (file === '') throw invalid('artifact_file_path', 'Request must include the "artifact_file_path" query parameter.');
  const path = validArtifactPath(file);
  const model = await findLoggedModel(readDb, modelId);
  if (!model) throw loggedModelNotFound(modelId);
  const root = proxiedArtifactRoot(model.artifactLocation);
  if (root === undefined) throw invalid('model_id', `The artifacts of logged model '${modelId}' are at ${model.artifactLocation}, outside this server's artifact store.`);
  return joinArtifactPath(root, path);
}
