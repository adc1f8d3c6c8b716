import { loggedModelStatus } from '../events/loggedModelEvents.ts';
import { compileLoggedModelSearch, decodeLoggedModelPageToken, encodeLoggedModelPageToken } from '../search/compileLoggedModelSearch.ts';
import { parseLoggedModelFilter, parseLoggedModelOrderBy, type OrderByInput } from '../search/loggedModelSearchSyntax.ts';
import { validateExperimentId } from '../tracking/validation.ts';
import { keyValueOf } from './experimentEndpoints.ts';
import { loadLoggedModel, loadLoggedModels } from './loggedModelJson.ts';
import { invalidParameter, missingParameter } from './mlflowErrors.ts';
import { route, type Endpoint, type MlflowRoute } from './mlflowRoute.ts';
import type { RequestFields } from './requestFields.ts';

/**
 * MLflow 3's logged-models RPCs. The model id travels in the path
 * (logged-models/{model_id}); writes go through ModelLoggingService, answers
 * are read back from the logged-model read model. The artifact listing
 * (logged-models/{model_id}/artifacts/…) is served by the artifact proxy.
 */

/** SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT; MLflow sets no maximum, ours bounds one page. */
const SEARCH = { default: 100, max: 10_000 };

/** LoggedModelStatus without LOGGED_MODEL_STATUS_UNSPECIFIED (0): names, or numbers 1–3. */
const STATUSES = loggedModelStatus.options;

const modelIdOf = (fields: RequestFields) => fields.requiredString('model_id');

const create: Endpoint = async (fields, ctx) => {
  const modelId = await ctx.modelLogging.createLoggedModel(
    {
      experimentId: validateExperimentId('experiment_id', fields.requiredString('experiment_id')),
      name: fields.optionalString('name'),
      modelType: fields.optionalString('model_type'),
      sourceRunId: fields.optionalString('source_run_id'),
      params: fields.messageList('params').map(keyValueOf),
      tags: fields.messageList('tags').map(keyValueOf),
    },
    ctx.command(),
  );
  return { model: await loadLoggedModel(ctx.readDb, modelId) };
};

// A deleted model is not found unless allow_deleted=true (the UI's flag).
const get: Endpoint = async (fields, ctx) => ({
  model: await loadLoggedModel(ctx.readDb, modelIdOf(fields), { includeDeleted: fields.optionalBoolean('allow_deleted') ?? false }),
});

const finalize: Endpoint = async (fields, ctx) => {
  const modelId = modelIdOf(fields);
  const status = fields.enumValue('status', STATUSES);
  if (status === undefined) throw missingParameter('status');
  await ctx.modelLogging.finalizeLoggedModel(modelId, status, ctx.command());
  return { model: await loadLoggedModel(ctx.readDb, modelId, { includeDeleted: true }) };
};

const remove: Endpoint = async (fields, ctx) => {
  await ctx.modelLogging.deleteLoggedModel(modelIdOf(fields), ctx.command());
  return {};
};

const setTags: Endpoint = async (fields, ctx) => {
  const modelId = modelIdOf(fields);
  await ctx.modelLogging.setLoggedModelTags(modelId, fields.messageList('tags').map(keyValueOf), ctx.command());
  return { model: await loadLoggedModel(ctx.readDb, modelId, { includeDeleted: true }) };
};

const deleteTag: Endpoint = async (fields, ctx) => {
  await ctx.modelLogging.deleteLoggedModelTag(modelIdOf(fields), fields.requiredString('tag_key'), ctx.command());
  return {};
};

const logParams: Endpoint = async (fields, ctx) => {
  await ctx.modelLogging.logLoggedModelParams(modelIdOf(fields), fields.messageList('params').map(keyValueOf), ctx.command());
  return {};
};

function orderByOf(element: RequestFields): OrderByInput {
  return {
    fieldName: element.optionalString('field_name'),
    ascending: element.optionalBoolean('ascending'),
    datasetName: element.optionalString('dataset_name'),
    datasetDigest: element.optionalString('dataset_digest'),
  };
}

const search: Endpoint = async (fields, ctx) => {
  const experimentIds = fields.stringList('experiment_ids');
  if (experimentIds.length === 0) throw missingParameter('experiment_ids');
  const filter = fields.optionalString('filter');
  const datasets = fields.messageList('datasets').map((element) => ({ name: element.optionalString('dataset_name'), digest: element.optionalString('dataset_digest') }));
  if (datasets.some((dataset) => dataset.name === undefined)) throw invalidParameter('`dataset_name` in the `datasets` clause must be specified.');
  const orderBy = fields.messageList('order_by').map(orderByOf);
  const maxResults = fields.optionalInteger('max_results') || SEARCH.default;
  if (maxResults < 1 || maxResults > SEARCH.max) throw invalidParameter(`Invalid value for request parameter max_results. It must be between 1 and ${SEARCH.max}, but got value ${maxResults}`);
  // The page token repeats the request, as MLflow's does, so a token cannot be replayed against another search.
  const request = {
    experiment_ids: experimentIds,
    filter_string: filter ?? null,
    order_by:
      orderBy.length === 0
        ? null
        : orderBy.map((term) => ({ field_name: term.fieldName ?? null, ascending: term.ascending ?? true, dataset_name: term.datasetName ?? null, dataset_digest: term.datasetDigest ?? null })),
  };
  const offset = decodeLoggedModelPageToken(fields.optionalString('page_token'), request);
  const query = compileLoggedModelSearch({
    experimentIds,
    clauses: parseLoggedModelFilter(filter),
    orderBy: parseLoggedModelOrderBy(orderBy),
    datasets: datasets.map((dataset) => ({ name: dataset.name ?? '', digest: dataset.digest })),
    limit: maxResults + 1,
    offset,
  });
  const { rows } = await ctx.readDb.query<{ modelId: string }>(query.sql, query.params);
  const models = await loadLoggedModels(ctx.readDb, rows.slice(0, maxResults).map((row) => row.modelId));
  return {
    models: models.length === 0 ? undefined : models,
    next_page_token: rows.length > maxResults ? encodeLoggedModelPageToken({ ...request, offset: offset + maxResults }) : undefined,
  };
};

export const loggedModelRoutes: MlflowRoute[] = [
  route('POST', 'logged-models', create),
  route('POST', 'logged-models/search', search),
  route('GET', 'logged-models/{model_id}', get),
  route('PATCH', 'logged-models/{model_id}', finalize),
  route('DELETE', 'logged-models/{model_id}', remove),
  route('PATCH', 'logged-models/{model_id}/tags', setTags),
  route('DELETE', 'logged-models/{model_id}/tags/{tag_key}', deleteTag),
  route('POST', 'logged-models/{model_id}/params', logParams),
];
