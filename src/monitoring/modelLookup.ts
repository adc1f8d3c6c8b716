import type { SqlExecutor } from '../db/sqlDb.ts';
import { versionOfAlias } from '../projections/registryAliasesReadModel.ts';
import { findRegisteredModel } from '../projections/registryModelsReadModel.ts';
import { versionsOfModel, type ModelVersionRow } from '../projections/registryVersionsReadModel.ts';
import { notFound } from '../tracking/domainError.ts';

/** Monitoring is joined to the registry: data is accepted only for registered models and versions. */
export interface MonitoredModel {
  modelId: string;
  name: string;
  versions: Map<number, ModelVersionRow>;
}

export async function lookUpModel(db: SqlExecutor, name: string, field: string): Promise<MonitoredModel> {
  const model = await findRegisteredModel(db, name);
  if (!model) throw notFound(field, `${field}: registered model '${name}' does not exist.`);
  const versions = await versionsOfModel(db, model.modelId);
  return { modelId: model.modelId, name: model.name, versions: new Map(versions.map((v) => [v.version, v])) };
}

/** A version given by number or by alias (champion), as it stands now. */
export async function resolveVersion(db: SqlExecutor, model: MonitoredModel, target: { version?: number; alias?: string }, field: string): Promise<number> {
  if (target.version !== undefined) {
    if (!model.versions.has(target.version)) throw notFound(field, `${field}: model '${model.name}' has no version ${target.version}.`);
    return target.version;
  }
  if (target.alias === undefined) throw notFound(field, `${field}: give a version or an alias.`);
  const version = await versionOfAlias(db, model.name, target.alias);
  if (version === undefined) throw notFound(field, `${field}: model '${model.name}' has no alias '${target.alias}'.`);
  return version;
}
