import { compileRunSearch, decodePageToken, encodePageToken } from '../search/compileRunSearch.ts';
import type { MetricInput } from '../tracking/runCommands.ts';
import { runStatus } from '../events/runEvents.ts';
import { DEFAULT_EXPERIMENT_ID } from '../tracking/experimentCommands.ts';
import { keyValueOf, VIEW_TYPES } from './experimentEndpoints.ts';
import { invalidParameter } from './mlflowErrors.ts';
import { mlflowLimits } from './mlflowLimits.ts';
import { route, type Endpoint, type MlflowRoute } from './mlflowRoute.ts';
import type { RequestFields } from './requestFields.ts';
import { loadRun, loadRunInfo, runsJson } from './runEntities.ts';
import { toRun, type RunRow } from '../projections/runsReadModel.ts';

/** The tag MLflow clients set to the local user name; it is what MLflow shows as the run's user. */
const USER_TAG = 'mlflow.user';

const RUN_STATUSES = runStatus.options;

/** A metric element of log-batch, or the fields of log-metric. step defaults to 0 in the command. */
function metricOf(fields: RequestFields): MetricInput {
  return {
    key: fields.requiredString('key'),
    value: fields.requiredDouble('value'),
    timestamp: fields.requiredInteger('timestamp'),
    step: fields.optionalInteger('step'),
    modelId: fields.optionalString('model_id'),
    datasetName: fields.optionalString('dataset_name'),
    datasetDigest: fields.optionalString('dataset_digest'),
  };
}

const create: Endpoint = async (fields, ctx) => {
  const tags = fields.messageList('tags').map(keyValueOf);
  // The client sends its user both as user_id and as the mlflow.user tag; either will do.
  const userId = fields.optionalString('user_id') ?? (tags.find((tag) => tag.key === USER_TAG)?.value || undefined);
  const runId = await ctx.tracking.createRun(
    {
      experimentId: fields.optionalString('experiment_id') ?? DEFAULT_EXPERIMENT_ID,
      userId,
      runName: fields.optionalString('run_name'),
      startTime: fields.optionalInteger('start_time'),
      tags,
    },
    ctx.command(),
  );
  return { run: await loadRun(ctx.readDb, runId) };
};

const update: Endpoint = async (fields, ctx) => {
  const runId = fields.runId();
  await ctx.tracking.updateRun(
    { runId, status: fields.enumValue('status', RUN_STATUSES), endTime: fields.optionalInteger('end_time'), runName: fields.optionalString('run_name') },
    ctx.command(),
  );
  return { run_info: await loadRunInfo(ctx.readDb, runId) };
};

const remove: Endpoint = async (fields, ctx) => {
  await ctx.tracking.deleteRun(fields.runId(), ctx.command());
  return {};
};

const restore: Endpoint = async (fields, ctx) => {
  await ctx.tracking.restoreRun(fields.runId(), ctx.command());
  return {};
};

// Deleted runs are returned too, with lifecycle_stage "deleted", as MLflow does.
const get: Endpoint = async (fields, ctx) => ({ run: await loadRun(ctx.readDb, fields.runId()) });

const search: Endpoint = async (fields, ctx) => {
  const maxResults = fields.optionalInteger('max_results') ?? mlflowLimits.searchDefault;
  // 0 is refused too: an empty page with a token to the same offset would page forever.
  if (maxResults < 1) throw invalidParameter(`Invalid value for request parameter max_results. It must be a positive integer, but got value ${maxResults}`);
  if (maxResults > mlflowLimits.searchMax) {
    throw invalidParameter(`Invalid value for request parameter max_results. It must be at most ${mlflowLimits.searchMax}, but got value ${maxResults}`);
  }
  const offset = decodePageToken(fields.optionalString('page_token'));
  // One row more than asked tells whether another page follows.
  const query = compileRunSearch({
    experimentIds: fields.stringList('experiment_ids'),
    filter: fields.optionalString('filter'),
    orderBy: fields.stringList('order_by'),
    viewType: fields.enumValue('run_view_type', VIEW_TYPES) ?? 'ACTIVE_ONLY',
    limit: maxResults + 1,
    offset,
  });
  const { rows } = await ctx.readDb.query<RunRow>(query.sql, query.params);
  const runs = await runsJson(ctx.readDb, rows.slice(0, maxResults).map(toRun));
  return {
    runs: runs.length === 0 ? undefined : runs,
    next_page_token: rows.length > maxResults ? encodePageToken(offset + maxResults) : undefined,
  };
};

// log-metric, log-parameter and set-tag are one-element log-batch commands: the same events either way.
const logMetric: Endpoint = async (fields, ctx) => {
  await ctx.tracking.logBatch({ runId: fields.runId(), metrics: [metricOf(fields)] }, ctx.command());
  return {};
};

const logParameter: Endpoint = async (fields, ctx) => {
  await ctx.tracking.logBatch({ runId: fields.runId(), params: [keyValueOf(fields)] }, ctx.command());
  return {};
};

const setTag: Endpoint = async (fields, ctx) => {
  await ctx.tracking.logBatch({ runId: fields.runId(), tags: [keyValueOf(fields)] }, ctx.command());
  return {};
};

const deleteTag: Endpoint = async (fields, ctx) => {
  await ctx.tracking.deleteRunTag(fields.runId(), fields.requiredString('key'), ctx.command());
  return {};
};

const logBatch: Endpoint = async (fields, ctx) => {
  if (fields.bodyBytes > mlflowLimits.maxLogBatchBytes) {
    throw invalidParameter(`Batched logging API requests must be at most ${mlflowLimits.maxLogBatchBytes} bytes, got ${fields.bodyBytes} bytes.`);
  }
  await ctx.tracking.logBatch(
    {
      runId: fields.runId(),
      metrics: fields.messageList('metrics').map(metricOf),
      params: fields.messageList('params').map(keyValueOf),
      tags: fields.messageList('tags').map(keyValueOf),
    },
    ctx.command(),
  );
  return {};
};

export const runRoutes: MlflowRoute[] = [
  route('POST', 'runs/create', create),
  route('POST', 'runs/update', update),
  route('POST', 'runs/delete', remove),
  route('POST', 'runs/restore', restore),
  route('GET', 'runs/get', get),
  route('POST', 'runs/search', search),
  route('POST', 'runs/log-metric', logMetric),
  route('POST', 'runs/log-parameter', logParameter),
  route('POST', 'runs/set-tag', setTag),
  route('POST', 'runs/delete-tag', deleteTag),
  route('POST', 'runs/log-batch', logBatch),
];
