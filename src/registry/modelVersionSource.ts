import type { SqlExecutor } from '../db/sqlDb.ts';
import { LOGGED_MODEL_ID } from '../events/loggedModelEvents.ts';
import { findLoggedModel, loggedModelsOfRun } from '../projections/loggedModelsReadModel.ts';
import { findModelVersion } from '../projections/registryVersionsReadModel.ts';
import { findRunById } from '../projections/runsReadModel.ts';
import { invalid, notFound } from '../tracking/domainError.ts';
import { loggedModelNotFound } from '../tracking/loggedModelCommands.ts';
import { validateRunId } from '../tracking/validation.ts';
import { parseSource } from './registryValidation.ts';

export interface VersionSourceRequest {
  source: string;
  runId?: string;
  /** MLflow 3's model_id: the logged model the version is made from. */
  modelId?: string;
}

export interface ResolvedVersionSource {
  runId?: string;
  /** Where the version's files are: what get-download-uri answers. */
  storageLocation: string;
}

const joinUri = (root: string, path: string) => (path === '' ? root : `${root.replace(/\/+$/, '')}/${path}`);

/**
 * Where a new model version's files live, resolved as MLflow 3 does:
 * - models:/m-<id>[/path]: the logged model's artifact location (its source run
 *   becomes the version's run unless one is given);
 * - models:/<name>/<version>: that version's storage location;
 * - runs:/<run>/<name>[/path]: the artifact location of the logged model named
 *   <name> that the run produced (3.x log_model), else the run's artifact root
 *   joined with the path (the 2.x layout);
 * - anything else stands as given.
 */
export async function resolveVersionSource(db: SqlExecutor, request: VersionSourceRequest): Promise<ResolvedVersionSource> {
  const parsed = parseSource('source', request.source);
  if (parsed.runId && request.runId && parsed.runId !== request.runId) {
    throw invalid('run_id', `The run_id '${request.runId}' does not match the run in source '${request.source}'.`);
  }
  const modelSource = parseModelsUri(request.source);
  if (request.modelId !== undefined) {
    if (modelSource?.modelId !== undefined && modelSource.modelId !== request.modelId) {
      throw invalid('model_id', `The model_id '${request.modelId}' does not match the logged model in source '${request.source}'.`);
    }
    if (!(await findLoggedModel(db, request.modelId))) throw loggedModelNotFound(request.modelId);
  }
  const runId = request.runId ?? parsed.runId;
  if (runId !== undefined) {
    validateRunId('run_id', runId);
    if (!(await findRunById(db, runId))) throw notFound('run_id', `Run with id=${runId} not found`);
  }

  if (modelSource?.modelId !== undefined) {
    const model = await findLoggedModel(db, modelSource.modelId);
    if (!model) throw loggedModelNotFound(modelSource.modelId);
    return { runId: runId ?? model.sourceRunId, storageLocation: joinUri(model.artifactLocation, modelSource.path) };
  }
  if (modelSource?.version !== undefined) {
    const version = await findModelVersion(db, modelSource.name, modelSource.version);
    if (!version) throw notFound('source', `Model Version (name=${modelSource.name}, version=${modelSource.version}) not found`);
    return { runId, storageLocation: version.storageLocation };
  }
  if (parsed.runId) {
    const run = await findRunById(db, parsed.runId);
    if (!run) throw notFound('run_id', `Run with id=${parsed.runId} not found`);
    const path = parsed.artifactPath ?? '';
    const [name, ...rest] = path.split('/');
    const [model] = name ? await loggedModelsOfRun(db, parsed.runId, name) : [];
    return { runId, storageLocation: model ? joinUri(model.artifactLocation, rest.join('/')) : joinUri(run.artifactUri, path) };
  }
  return { runId, storageLocation: request.source };
}

/** models:/m-<id>[/path] names a logged model; models:/<name>/<number> a registered version; other models: URIs (aliases, stages) are left alone. */
function parseModelsUri(source: string): { modelId?: string; path: string; name: string; version?: number } | undefined {
  const match = /^models:\/([^/]+)(?:\/(.*))?$/.exec(source);
  if (!match) return undefined;
  const [, first, rest = ''] = match;
  if (LOGGED_MODEL_ID.test(first)) return { modelId: first, path: rest.replace(/\/+$/, ''), name: first };
  if (/^\d+$/.test(rest)) return { name: first, version: Number(rest), path: '' };
  return undefined;
}
