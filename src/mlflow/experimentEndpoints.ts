import { experimentTags, findExperimentById, findExperimentByName, type ExperimentRow } from '../projections/experimentsReadModel.ts';
import type { SqlExecutor } from '../db/sqlDb.ts';
import { decodePageToken, encodePageToken } from '../search/compileRunSearch.ts';
import { notFound } from '../tracking/domainError.ts';
import { validateExperimentId } from '../tracking/validation.ts';
import { searchExperiments } from './experimentSearchQuery.ts';
import { parseExperimentFilter, parseExperimentOrderBy } from './experimentSearchSyntax.ts';
import { invalidParameter } from './mlflowErrors.ts';
import { experimentJson, type JsonObject } from './mlflowJson.ts';
import { mlflowLimits } from './mlflowLimits.ts';
import { route, type Endpoint, type MlflowRoute } from './mlflowRoute.ts';
import type { RequestFields } from './requestFields.ts';

export const VIEW_TYPES = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const;

/** A tag element of a request: key required, value may be ''. */
export function keyValueOf(element: RequestFields): { key: string; value: string } {
  return { key: element.requiredString('key'), value: element.requiredString('value', { allowEmpty: true }) };
}

async function withTags(db: SqlExecutor, rows: readonly ExperimentRow[]): Promise<JsonObject[]> {
  const tags = await experimentTags(db, rows.map((row) => row.experimentId));
  return rows.map((row) => experimentJson(row, tags.get(row.experimentId) ?? []));
}

const create: Endpoint = async (fields, ctx) => {
  const name = fields.requiredString('name');
  const artifactLocation = fields.optionalString('artifact_location');
  const tags = fields.messageList('tags').map(keyValueOf);
  const experimentId = await ctx.tracking.createExperiment({ name, artifactLocation, tags }, ctx.command());
  return { experiment_id: experimentId };
};

const get: Endpoint = async (fields, ctx) => {
  const experimentId = validateExperimentId('experiment_id', fields.requiredString('experiment_id'));
  const row = await findExperimentById(ctx.readDb, experimentId);
  if (!row) throw notFound('experiment_id', `No Experiment with id=${experimentId} exists`);
  const [experiment] = await withTags(ctx.readDb, [row]);
  return { experiment };
};

// Deleted experiments are found too: the client then refuses to use them with its own message.
const getByName: Endpoint = async (fields, ctx) => {
  const name = fields.requiredString('experiment_name');
  const row = await findExperimentByName(ctx.readDb, name);
  if (!row) throw notFound('experiment_name', `Could not find experiment with name '${name}'`);
  const [experiment] = await withTags(ctx.readDb, [row]);
  return { experiment };
};

const search: Endpoint = async (fields, ctx) => {
  const maxResults = fields.optionalInteger('max_results') ?? mlflowLimits.searchDefault;
  if (maxResults < 1) throw invalidParameter(`Invalid value for max_results. It must be a positive integer, but got ${maxResults}`);
  if (maxResults > mlflowLimits.searchMax) throw invalidParameter(`Invalid value for max_results. It must be at most ${mlflowLimits.searchMax}, but got ${maxResults}`);
  const clauses = parseExperimentFilter(fields.optionalString('filter') ?? '');
  const orderBy = parseExperimentOrderBy(fields.stringList('order_by'));
  const offset = decodePageToken(fields.optionalString('page_token'));
  const viewType = fields.enumValue('view_type', VIEW_TYPES) ?? 'ACTIVE_ONLY';
  // One row more than asked tells whether another page follows.
  const rows = await searchExperiments(ctx.readDb, { clauses, orderBy, viewType, limit: maxResults + 1, offset });
  const page = rows.slice(0, maxResults);
  return {
    experiments: page.length === 0 ? undefined : await withTags(ctx.readDb, page),
    next_page_token: rows.length > maxResults ? encodePageToken(offset + maxResults) : undefined,
  };
};

const update: Endpoint = async (fields, ctx) => {
  const experimentId = fields.requiredString('experiment_id');
  const newName = fields.requiredString('new_name');
  await ctx.tracking.renameExperiment({ experimentId, newName }, ctx.command());
  return {};
};

const remove: Endpoint = async (fields, ctx) => {
  await ctx.tracking.deleteExperiment(fields.requiredString('experiment_id'), ctx.command());
  return {};
};

const restore: Endpoint = async (fields, ctx) => {
  await ctx.tracking.restoreExperiment(fields.requiredString('experiment_id'), ctx.command());
  return {};
};

const setTag: Endpoint = async (fields, ctx) => {
  const experimentId = fields.requiredString('experiment_id');
  await ctx.tracking.setExperimentTag({ experimentId, ...keyValueOf(fields) }, ctx.command());
  return {};
};

const deleteTag: Endpoint = async (fields, ctx) => {
  await ctx.tracking.deleteExperimentTag(fields.requiredString('experiment_id'), fields.requiredString('key'), ctx.command());
  return {};
};

export const experimentRoutes: MlflowRoute[] = [
  route('POST', 'experiments/create', create),
  route('GET', 'experiments/get', get),
  route('GET', 'experiments/get-by-name', getByName),
  route('GET', 'experiments/search', search),
  route('POST', 'experiments/search', search),
  route('POST', 'experiments/update', update),
  route('POST', 'experiments/delete', remove),
  route('POST', 'experiments/restore', restore),
  route('POST', 'experiments/set-experiment-tag', setTag),
  route('POST', 'experiments/delete-experiment-tag', deleteTag),
];
