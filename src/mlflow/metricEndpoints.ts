import { metricHistory } from '../projections/metricHistoryReadModel.ts';
import { findRunById } from '../projections/runsReadModel.ts';
import { decodePageToken, encodePageToken } from '../search/compileRunSearch.ts';
import { notFound } from '../tracking/domainError.ts';
import { metricHistoryOfRuns, sampledMetricHistory } from './metricHistoryQueries.ts';
import { invalidParameter } from './mlflowErrors.ts';
import { metricJson } from './mlflowJson.ts';
import { mlflowLimits } from './mlflowLimits.ts';
import { route, type Endpoint, type MlflowRoute } from './mlflowRoute.ts';

/**
 * metrics/get-history pages with MLflow's tokens. The Python client always sends
 * max_results=25000. Without max_results (or with 0, which protobuf cannot tell
 * apart from absent) MLflow answers no points at all (reference §1.10.1); we
 * answer the history instead, up to mlflowLimits.metricHistoryUnpaged points per
 * page, as MLflow servers did before paging existed. Larger values are clamped.
 */
const getHistory: Endpoint = async (fields, ctx) => {
  const runId = fields.runId();
  const key = fields.requiredString('metric_key');
  const requested = fields.optionalInteger('max_results') ?? 0;
  if (requested < 0) throw invalidParameter(`Invalid value for max_results. It must be a positive integer, but got ${requested}`);
  const pageSize = requested === 0 ? mlflowLimits.metricHistoryUnpaged : Math.min(requested, mlflowLimits.metricHistoryUnpaged);
  const offset = decodePageToken(fields.optionalString('page_token'));
  // A history of a run that does not exist is an error rather than an empty list.
  if (!(await findRunById(ctx.readDb, runId))) throw notFound('run_id', `Run with id=${runId} not found`);
  const points = await metricHistory(ctx.readDb, runId, key, { limit: pageSize + 1, offset });
  const page = points.slice(0, pageSize);
  return {
    metrics: page.length === 0 ? undefined : page.map((point) => metricJson(point)),
    next_page_token: points.length > pageSize ? encodePageToken(offset + pageSize) : undefined,
  };
};

function checkRunIds(runIds: readonly string[], rpc: string): void {
  if (runIds.length === 0) throw invalidParameter(`${rpc} request must specify at least one run_id.`);
  if (runIds.length > mlflowLimits.bulkRunIds) {
    throw invalidParameter(`${rpc} request cannot specify more than ${mlflowLimits.bulkRunIds} run_ids. Received ${runIds.length} run_ids.`);
  }
}

/** The UI's charts: points at evenly spread steps of each run, every point when there are few steps. */
const getHistoryBulkInterval: Endpoint = async (fields, ctx) => {
  const runIds = fields.stringList('run_ids');
  checkRunIds(runIds, 'GetMetricHistoryBulkInterval');
  const key = fields.requiredString('metric_key');
  const startStep = fields.optionalInteger('start_step');
  const endStep = fields.optionalInteger('end_step');
  if (startStep !== undefined && endStep !== undefined && startStep > endStep) {
    throw invalidParameter(`end_step must be greater than start_step. Found start_step=${startStep} and end_step=${endStep}.`);
  }
  const maxResults = fields.optionalInteger('max_results') ?? mlflowLimits.intervalStepsDefault;
  if (maxResults < 1 || maxResults > mlflowLimits.intervalStepsMax) {
    throw invalidParameter(`max_results must be between 1 and ${mlflowLimits.intervalStepsMax}, got ${maxResults}.`);
  }
  const points = await sampledMetricHistory(ctx.readDb, runIds, key, { startStep, endStep }, maxResults);
  return { metrics: points.length === 0 ? undefined : points.map((point) => metricJson(point, point.runId)) };
};

/** /ajax-api only: the whole history of one metric for several runs, at most 25000 points in all. */
const getHistoryBulk: Endpoint = async (fields, ctx) => {
  const runIds = fields.stringList('run_id');
  checkRunIds(runIds, 'GetMetricHistoryBulk');
  const key = fields.requiredString('metric_key');
  const requested = fields.optionalInteger('max_results') ?? mlflowLimits.bulkPoints;
  if (requested < 1) throw invalidParameter(`Invalid value for max_results. It must be a positive integer, but got ${requested}`);
  const points = await metricHistoryOfRuns(ctx.readDb, runIds, key, Math.min(requested, mlflowLimits.bulkPoints));
  return { metrics: points.length === 0 ? undefined : points.map((point) => metricJson(point, point.runId)) };
};

export const metricRoutes: MlflowRoute[] = [
  route('GET', 'metrics/get-history', getHistory),
  route('GET', 'metrics/get-history-bulk-interval', getHistoryBulkInterval),
  route('GET', 'metrics/get-history-bulk', getHistoryBulk, { ajaxOnly: true }),
];
