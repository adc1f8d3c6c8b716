import { versionOfAlias } from '../projections/registryAliasesReadModel.ts';
import { findRegisteredModel, searchRegisteredModels } from '../projections/registryModelsReadModel.ts';
import { findModelVersion, latestVersions, searchModelVersions } from '../projections/registryVersionsReadModel.ts';
import type { RegistryService } from '../registry/registryService.ts';
import { parseModelVersionFilter, parseModelVersionOrderBy, parseRegisteredModelFilter, parseRegisteredModelOrderBy } from '../registry/registrySearchSyntax.ts';
import { parseStage, parseVersion, validateModelName } from '../registry/registryValidation.ts';
import { decodePageToken, encodePageToken } from '../search/compileRunSearch.ts';
import { notFound } from '../tracking/domainError.ts';
import { keyValueOf } from './experimentEndpoints.ts';
import { invalidParameter, missingParameter, MlflowError } from './mlflowErrors.ts';
import type { JsonObject } from './mlflowJson.ts';
import { route, type Endpoint, type EndpointContext, type MlflowRoute } from './mlflowRoute.ts';
import { modelVersionsJson, registeredModelsJson } from './registryJson.ts';
import type { RequestFields } from './requestFields.ts';

/**
 * MLflow's model registry RPCs (registered-models/…, model-versions/…). Writes go
 * through RegistryService; every answer is read back from the registry read models.
 * An optional `comment` field (not in MLflow's protos) is kept in the audit trail.
 */

/** MLflow's server-side page sizes: registered models 100 (at most 1000), versions 10,000 (at most 200,000). */
const MODEL_SEARCH = { default: 100, max: 1000 };
const VERSION_SEARCH = { default: 10_000, max: 200_000 };

function registryOf(ctx: EndpointContext): RegistryService {
  if (!ctx.registry) throw new MlflowError('NOT_IMPLEMENTED', 'The model registry is not enabled on this server.');
  return ctx.registry;
}

const nameOf = (fields: RequestFields, field = 'name') => validateModelName(field, fields.requiredString(field));
const versionOf = (fields: RequestFields) => parseVersion('version', fields.requiredString('version'));
const commentOf = (fields: RequestFields) => fields.optionalString('comment');

async function registeredModelAnswer(ctx: EndpointContext, name: string): Promise<JsonObject> {
  const row = await findRegisteredModel(ctx.readDb, name);
  if (!row) throw notFound('name', `Registered Model with name=${name} not found`);
  const [json] = await registeredModelsJson(ctx.readDb, [row]);
  return { registered_model: json };
}

async function modelVersionAnswer(ctx: EndpointContext, name: string, version: number): Promise<JsonObject> {
  const row = await findModelVersion(ctx.readDb, name, version);
  if (!row) throw notFound('version', `Model Version (name=${name}, version=${version}) not found`);
  const [json] = await modelVersionsJson(ctx.readDb, [row]);
  return { model_version: json };
}

function pageSize(fields: RequestFields, limits: { default: number; max: number }): number {
  const maxResults = fields.optionalInteger('max_results') ?? limits.default;
  if (maxResults < 1) throw invalidParameter(`Invalid value for request parameter max_results. It must be a positive integer, but got value ${maxResults}`);
  if (maxResults > limits.max) throw invalidParameter(`Invalid value for request parameter max_results. It must be at most ${limits.max}, but got value ${maxResults}`);
  return maxResults;
}

////////// registered-models

const createModel: Endpoint = async (fields, ctx) => {
  const name = fields.requiredString('name');
  await registryOf(ctx).createRegisteredModel(
    { name, description: fields.optionalString('description'), tags: fields.messageList('tags').map(keyValueOf), comment: commentOf(fields) },
    ctx.command(),
  );
  return registeredModelAnswer(ctx, name);
};

const renameModel: Endpoint = async (fields, ctx) => {
  const name = nameOf(fields);
  const newName = fields.optionalString('new_name');
  if (newName === undefined) throw missingParameter('new_name');
  await registryOf(ctx).renameRegisteredModel(name, newName, ctx.command(), commentOf(fields));
  return registeredModelAnswer(ctx, newName);
};

const updateModel: Endpoint = async (fields, ctx) => {
  const name = nameOf(fields);
  // As in MLflow, an absent description is the empty one: the update clears it.
  await registryOf(ctx).updateRegisteredModel(name, fields.optionalString('description') ?? '', ctx.command(), commentOf(fields));
  return registeredModelAnswer(ctx, name);
};

const deleteModel: Endpoint = async (fields, ctx) => {
  await registryOf(ctx).deleteRegisteredModel(nameOf(fields), ctx.command(), commentOf(fields));
  return {};
};

const getModel: Endpoint = async (fields, ctx) => registeredModelAnswer(ctx, nameOf(fields));

const searchModels: Endpoint = async (fields, ctx) => {
  const maxResults = pageSize(fields, MODEL_SEARCH);
  const offset = decodePageToken(fields.optionalString('page_token'));
  const rows = await searchRegisteredModels(ctx.readDb, {
    clauses: parseRegisteredModelFilter(fields.optionalString('filter')),
    orderBy: parseRegisteredModelOrderBy(fields.stringList('order_by')),
    limit: maxResults + 1,
    offset,
  });
  const page = rows.slice(0, maxResults);
  return {
    registered_models: page.length === 0 ? undefined : await registeredModelsJson(ctx.readDb, page),
    next_page_token: rows.length > maxResults ? encodePageToken(offset + maxResults) : undefined,
  };
};

const getLatestVersions: Endpoint = async (fields, ctx) => {
  const name = nameOf(fields);
  const stages = fields.stringList('stages').map((stage) => parseStage('stages', stage));
  const model = await findRegisteredModel(ctx.readDb, name);
  if (!model) throw notFound('name', `Registered Model with name=${name} not found`);
  const latest = (await latestVersions(ctx.readDb, [model.modelId], stages)).get(model.modelId) ?? [];
  return { model_versions: latest.length === 0 ? undefined : await modelVersionsJson(ctx.readDb, latest) };
};

const setModelTag: Endpoint = async (fields, ctx) => {
  const { key, value } = keyValueOf(fields);
  await registryOf(ctx).setRegisteredModelTag(nameOf(fields), key, value, ctx.command(), commentOf(fields));
  return {};
};

const deleteModelTag: Endpoint = async (fields, ctx) => {
  await registryOf(ctx).deleteRegisteredModelTag(nameOf(fields), fields.requiredString('key'), ctx.command(), commentOf(fields));
  return {};
};

const setAlias: Endpoint = async (fields, ctx) => {
  await registryOf(ctx).setRegisteredModelAlias(nameOf(fields), fields.requiredString('alias'), versionOf(fields), ctx.command(), commentOf(fields));
  return {};
};

const deleteAlias: Endpoint = async (fields, ctx) => {
  await registryOf(ctx).deleteRegisteredModelAlias(nameOf(fields), fields.requiredString('alias'), ctx.command(), commentOf(fields));
  return {};
};

const getByAlias: Endpoint = async (fields, ctx) => {
  const name = nameOf(fields);
  const alias = fields.requiredString('alias');
  if (!(await findRegisteredModel(ctx.readDb, name))) throw notFound('name', `Registered Model with name=${name} not found`);
  const version = await versionOfAlias(ctx.readDb, name, alias);
  if (version === undefined) throw notFound('alias', `Registered model alias ${alias} not found.`);
  return modelVersionAnswer(ctx, name, version);
};

////////// model-versions

const createVersion: Endpoint = async (fields, ctx) => {
  const name = nameOf(fields);
  const version = await registryOf(ctx).createModelVersion(
    {
      name,
      source: fields.requiredString('source'),
      runId: fields.optionalString('run_id'),
      runLink: fields.optionalString('run_link'),
      description: fields.optionalString('description'),
      tags: fields.messageList('tags').map(keyValueOf),
      comment: commentOf(fields),
      modelId: fields.optionalString('model_id'),
    },
    ctx.command(),
  );
  return modelVersionAnswer(ctx, name, version);
};

const updateVersion: Endpoint = async (fields, ctx) => {
  const name = nameOf(fields);
  const version = versionOf(fields);
  await registryOf(ctx).updateModelVersion(name, version, fields.optionalString('description') ?? '', ctx.command(), commentOf(fields));
  return modelVersionAnswer(ctx, name, version);
};

const transitionStage: Endpoint = async (fields, ctx) => {
  const name = nameOf(fields);
  const version = versionOf(fields);
  await registryOf(ctx).transitionModelVersionStage(
    {
      name,
      version,
      stage: parseStage('stage', fields.requiredString('stage')),
      archiveExistingVersions: fields.optionalBoolean('archive_existing_versions') ?? false,
      comment: commentOf(fields),
    },
    ctx.command(),
  );
  return modelVersionAnswer(ctx, name, version);
};

const deleteVersion: Endpoint = async (fields, ctx) => {
  await registryOf(ctx).deleteModelVersion(nameOf(fields), versionOf(fields), ctx.command(), commentOf(fields));
  return {};
};

const getVersion: Endpoint = async (fields, ctx) => modelVersionAnswer(ctx, nameOf(fields), versionOf(fields));

const searchVersions: Endpoint = async (fields, ctx) => {
  const maxResults = pageSize(fields, VERSION_SEARCH);
  const offset = decodePageToken(fields.optionalString('page_token'));
  const rows = await searchModelVersions(ctx.readDb, {
    clauses: parseModelVersionFilter(fields.optionalString('filter')),
    orderBy: parseModelVersionOrderBy(fields.stringList('order_by')),
    limit: maxResults + 1,
    offset,
  });
  const page = rows.slice(0, maxResults);
  return {
    model_versions: page.length === 0 ? undefined : await modelVersionsJson(ctx.readDb, page),
    next_page_token: rows.length > maxResults ? encodePageToken(offset + maxResults) : undefined,
  };
};

const getDownloadUri: Endpoint = async (fields, ctx) => {
  const name = nameOf(fields);
  const version = versionOf(fields);
  const row = await findModelVersion(ctx.readDb, name, version);
  if (!row) throw notFound('version', `Model Version (name=${name}, version=${version}) not found`);
  return { artifact_uri: row.storageLocation };
};

const setVersionTag: Endpoint = async (fields, ctx) => {
  const { key, value } = keyValueOf(fields);
  await registryOf(ctx).setModelVersionTag(nameOf(fields), versionOf(fields), key, value, ctx.command(), commentOf(fields));
  return {};
};

const deleteVersionTag: Endpoint = async (fields, ctx) => {
  await registryOf(ctx).deleteModelVersionTag(nameOf(fields), versionOf(fields), fields.requiredString('key'), ctx.command(), commentOf(fields));
  return {};
};

export const registryRoutes: MlflowRoute[] = [
  route('POST', 'registered-models/create', createModel),
  route('POST', 'registered-models/rename', renameModel),
  route('PATCH', 'registered-models/update', updateModel),
  route('DELETE', 'registered-models/delete', deleteModel),
  route('GET', 'registered-models/get', getModel),
  route('GET', 'registered-models/search', searchModels),
  route('POST', 'registered-models/get-latest-versions', getLatestVersions),
  route('GET', 'registered-models/get-latest-versions', getLatestVersions),
  route('POST', 'registered-models/set-tag', setModelTag),
  route('DELETE', 'registered-models/delete-tag', deleteModelTag),
  route('POST', 'registered-models/alias', setAlias),
  route('DELETE', 'registered-models/alias', deleteAlias),
  route('GET', 'registered-models/alias', getByAlias),
  route('POST', 'model-versions/create', createVersion),
  route('PATCH', 'model-versions/update', updateVersion),
  route('POST', 'model-versions/transition-stage', transitionStage),
  route('DELETE', 'model-versions/delete', deleteVersion),
  route('GET', 'model-versions/get', getVersion),
  route('GET', 'model-versions/search', searchVersions),
  route('GET', 'model-versions/get-download-uri', getDownloadUri),
  route('POST', 'model-versions/set-tag', setVersionTag),
  route('DELETE', 'model-versions/delete-tag', deleteVersionTag),
];
