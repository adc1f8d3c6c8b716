import type { SqlExecutor } from '../db/sqlDb.ts';
import { experimentsByArtifactLocation } from '../projections/experimentsReadModel.ts';
import { findMonitor } from '../projections/monitoringMonitorsReadModel.ts';
import { findLoggedModel } from '../projections/loggedModelsReadModel.ts';
import { findRegisteredModel } from '../projections/registryModelsReadModel.ts';
import { findRunById } from '../projections/runsReadModel.ts';

/** What permissions are granted on: an experiment (with its runs, logged models and artifacts) or a registered model. */
export type Resource = { kind: 'experiment'; experimentId: string } | { kind: 'registeredModel'; modelId: string; name?: string };

export const experimentResource = (experimentId: string): Resource => ({ kind: 'experiment', experimentId });
export const modelResource = (modelId: string, name?: string): Resource => ({ kind: 'registeredModel', modelId, name });

export function describeResource(resource: Resource): string {
  return resource.kind === 'experiment' ? `experiment ${resource.experimentId}` : `registered model '${resource.name ?? resource.modelId}'`;
}

/**
 * Finding the resource something belongs to. Each answers undefined when the thing
 * does not exist: the command then refuses it with its own "does not exist".
 */
export const resourceOf = {
  async run(db: SqlExecutor, runId: string): Promise<Resource | undefined> {
    if (!/^[0-9a-f]{32}$/.test(runId)) return undefined;
    const run = await findRunById(db, runId);
    return run && experimentResource(run.experimentId);
  },

  async registeredModel(db: SqlExecutor, name: string): Promise<Resource | undefined> {
    const model = await findRegisteredModel(db, name);
    return model && modelResource(model.modelId, model.name);
  },

  /** A monitor watches one registered model. */
  async monitor(db: SqlExecutor, monitorId: string): Promise<Resource | undefined> {
    const monitor = await findMonitor(db, monitorId);
    return monitor && modelResource(monitor.definition.modelId, monitor.modelName);
  },

  async loggedModel(db: SqlExecutor, modelId: string): Promise<Resource | undefined> {
    const model = await findLoggedModel(db, modelId, { includeDeleted: true });
    return model && experimentResource(model.experimentId);
  },

  /**
   * The experiment whose artifact root holds a store path ('3/<run>/artifacts/model.pkl'):
   * the longest root among the path's prefixes, as 'mlflow-artifacts:/<prefix>'. Paths
   * under no experiment (the store's top level, roots kept elsewhere) belong to nobody.
   */
  async artifactPath(db: SqlExecutor, path: string): Promise<Resource | undefined> {
    const segments = path === '' ? [] : path.split('/');
    const prefixes = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
    const locations = prefixes.flatMap((prefix) => [`mlflow-artifacts:/${prefix}`, `mlflow-artifacts:/${prefix}/`]);
    const owners = await experimentsByArtifactLocation(db, locations);
    const depth = (location: string) => location.replace(/\/+$/, '').split('/').length;
    const owner = owners.sort((a, b) => depth(b.artifactLocation) - depth(a.artifactLocation))[0];
    return owner && experimentResource(owner.experimentId);
  },
};
