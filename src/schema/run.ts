import { metricHistory } from '../projections/metricHistoryReadModel.ts';
import type { RunRow } from '../projections/runsReadModel.ts';
import { compileRunSearch } from '../search/compileRunSearch.ts';
import { SearchSyntaxError } from '../search/searchErrors.ts';
import { commandContext } from '../tracking/commandContext.ts';
import { invalid, notFound } from '../tracking/domainError.ts';
import type { MetricInput as MetricCommandInput } from '../tracking/runCommands.ts';
import { builder } from './builder.ts';
import { ExperimentType } from './experiment.ts';
import type { GraphQLContext } from './graphqlContext.ts';
import { KeyValueInput, ParamType, TagType } from './keyValue.ts';
import { MetricInput, MetricSeriesInput, MetricType } from './metric.ts';
import { connectionType, fetchPage, pageWindow } from './paging.ts';
import { LongScalar, MetricValueScalar } from './scalars.ts';
import { ViewTypeEnum } from './viewType.ts';
import { findExperimentById } from '../projections/experimentsReadModel.ts';

export const RunStatusEnum = builder.enumType('RunStatus', {
  values: ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const,
});

export const RunType = builder.objectRef<RunRow>('Run').implement({
  fields: (t) => ({
    id: t.exposeID('runId', { description: 'MLflow run id: 32 lowercase hex characters.' }),
    experimentId: t.exposeID('experimentId'),
    experiment: t.field({ type: ExperimentType, nullable: true, resolve: async (r, _a, ctx) => (await findExperimentById(ctx.readDb, r.experimentId)) ?? null }),
    name: t.exposeString('runName'),
    userId: t.exposeString('userId'),
    status: t.field({ type: RunStatusEnum, resolve: (r) => r.status }),
    startTime: t.field({ type: LongScalar, resolve: (r) => r.startTime }),
    endTime: t.field({ type: LongScalar, nullable: true, resolve: (r) => r.endTime ?? null }),
    lifecycleStage: t.exposeString('lifecycleStage'),
    artifactUri: t.exposeString('artifactUri'),
    params: t.field({ type: [ParamType], resolve: (r, _a, ctx) => ctx.loaders.params.load(r.runId) }),
    tags: t.field({ type: [TagType], resolve: (r, _a, ctx) => ctx.loaders.tags.load(r.runId) }),
    latestMetrics: t.field({
      type: [MetricType],
      description: "One value per key: the largest (step, timestamp, value), MLflow's rule.",
      resolve: (r, _a, ctx) => ctx.loaders.latestMetrics.load(r.runId),
    }),
    metricHistory: t.field({
      type: MetricHistoryConnection,
      args: { key: t.arg.string({ required: true }), first: t.arg.int({ defaultValue: 25_000 }), after: t.arg.string() },
      resolve: (r, args, ctx) =>
        fetchPage(pageWindow(args.first ?? 25_000, args.after, 25_000), (limit, offset) => metricHistory(ctx.readDb, r.runId, args.key, { limit, offset })),
    }),
  }),
});

const MetricHistoryConnection = connectionType('MetricHistoryConnection', MetricType);
const RunConnection = connectionType('RunConnection', RunType);

async function loadRun(ctx: GraphQLContext, runId: string): Promise<RunRow> {
  const run = await ctx.loaders.run.load(runId);
  if (!run) throw notFound('run_id', `Run with id=${runId} not found`);
  return run;
}

builder.queryFields((t) => ({
  run: t.field({
    type: RunType,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => (await ctx.loaders.run.load(String(id))) ?? null,
  }),
  searchRuns: t.field({
    type: RunConnection,
    description: "MLflow's search grammar: filter like `metrics.acc > 0.9 and params.lr = '0.1'`, orderBy like `metrics.acc DESC`.",
    args: {
      experimentIds: t.arg.idList({ required: true }),
      filter: t.arg.string(),
      orderBy: t.arg.stringList(),
      viewType: t.arg({ type: ViewTypeEnum, defaultValue: 'ACTIVE_ONLY' }),
      first: t.arg.int({ defaultValue: 100 }),
      after: t.arg.string(),
    },
    resolve: async (_root, args, ctx) => {
      const window = pageWindow(args.first ?? 100, args.after, 50_000);
      return fetchPage(window, async (limit, offset) => {
        let query;
        try {
          query = compileRunSearch({
            experimentIds: args.experimentIds.map(String),
            filter: args.filter ?? undefined,
            orderBy: args.orderBy ?? undefined,
            viewType: args.viewType ?? 'ACTIVE_ONLY',
            limit,
            offset,
          });
        } catch (error) {
          if (error instanceof SearchSyntaxError) throw invalid(error.field === 'order_by' ? 'orderBy' : error.field, error.message);
          throw error;
        }
        const { rows } = await ctx.readDb.query<{ run_id: string }>(query.sql, query.params);
        const runs = await Promise.all(rows.map((row) => ctx.loaders.run.load(row.run_id)));
        return runs.filter((run): run is RunRow => run !== undefined);
      });
    },
  }),
}));

const CreateRunInput = builder.inputType('CreateRunInput', {
  fields: (t) => ({
    experimentId: t.id({ required: true }),
    runName: t.string(),
    userId: t.string({ description: 'Defaults to the caller.' }),
    startTime: t.field({ type: LongScalar, description: 'Epoch milliseconds; now when omitted.' }),
    tags: t.field({ type: [KeyValueInput] }),
  }),
});

const UpdateRunInput = builder.inputType('UpdateRunInput', {
  fields: (t) => ({
    runId: t.id({ required: true }),
    status: t.field({ type: RunStatusEnum }),
    endTime: t.field({ type: LongScalar }),
    runName: t.string(),
  }),
});

/** What a log call returns: the run id at once, the run itself only if asked for. */
const LogResultType = builder.objectRef<{ runId: string }>('LogResult').implement({
  fields: (t) => ({
    runId: t.exposeID('runId'),
    run: t.field({ type: RunType, resolve: (r, _a, ctx) => loadRun(ctx, r.runId) }),
  }),
});

function toMetrics(inputs: readonly { key: string; value: number; timestamp?: number | null; step?: number | null }[]): MetricCommandInput[] {
  const now = Date.now();
  return inputs.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp ?? now, step: m.step ?? 0 }));
}

builder.mutationFields((t) => ({
  createRun: t.field({
    type: RunType,
    errors: {},
    args: { input: t.arg({ type: CreateRunInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const runId = await ctx.tracking.createRun(
        {
          experimentId: String(input.experimentId),
          runName: input.runName ?? undefined,
          userId: input.userId ?? undefined,
          startTime: input.startTime ?? undefined,
          tags: input.tags ?? [],
        },
        commandContext(ctx.actor, { authenticated: ctx.access.authenticated }),
      );
      return loadRun(ctx, runId);
    },
  }),
  updateRun: t.field({
    type: RunType,
    errors: {},
    args: { input: t.arg({ type: UpdateRunInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const runId = String(input.runId);
      await ctx.tracking.updateRun({ runId, status: input.status ?? undefined, endTime: input.endTime ?? undefined, runName: input.runName ?? undefined }, commandContext(ctx.actor, { authenticated: ctx.access.authenticated }));
      return loadRun(ctx, runId);
    },
  }),
  deleteRun: t.field({
    type: RunType,
    errors: {},
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.tracking.deleteRun(String(id), commandContext(ctx.actor, { authenticated: ctx.access.authenticated }));
      return loadRun(ctx, String(id));
    },
  }),
  restoreRun: t.field({
    type: RunType,
    errors: {},
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.tracking.restoreRun(String(id), commandContext(ctx.actor, { authenticated: ctx.access.authenticated }));
      return loadRun(ctx, String(id));
    },
  }),
  logParam: t.field({
    type: LogResultType,
    errors: {},
    description: 'Params are write-once: logging a different value for a logged key is an error.',
    args: { runId: t.arg.id({ required: true }), key: t.arg.string({ required: true }), value: t.arg.string({ required: true }) },
    resolve: async (_root, { runId, key, value }, ctx) => {
      await ctx.tracking.logBatch({ runId: String(runId), params: [{ key, value }] }, commandContext(ctx.actor, { authenticated: ctx.access.authenticated }));
      return { runId: String(runId) };
    },
  }),
  logMetric: t.field({
    type: LogResultType,
    errors: {},
    args: {
      runId: t.arg.id({ required: true }),
      key: t.arg.string({ required: true }),
      value: t.arg({ type: MetricValueScalar, required: true }),
      timestamp: t.arg({ type: LongScalar }),
      step: t.arg({ type: LongScalar }),
    },
    resolve: async (_root, { runId, key, value, timestamp, step }, ctx) => {
      await ctx.tracking.logBatch({ runId: String(runId), metrics: toMetrics([{ key, value, timestamp, step }]) }, commandContext(ctx.actor, { authenticated: ctx.access.authenticated }));
      return { runId: String(runId) };
    },
  }),
  logMetrics: t.field({
    type: LogResultType,
    errors: {},
    description: 'Many points of one or more metrics in one call (at most 1000).',
    args: { runId: t.arg.id({ required: true }), metrics: t.arg({ type: [MetricInput], required: true }) },
    resolve: async (_root, { runId, metrics }, ctx) => {
      await ctx.tracking.logBatch({ runId: String(runId), metrics: toMetrics(metrics) }, commandContext(ctx.actor, { authenticated: ctx.access.authenticated }));
      return { runId: String(runId) };
    },
  }),
  setTag: t.field({
    type: LogResultType,
    errors: {},
    args: { runId: t.arg.id({ required: true }), key: t.arg.string({ required: true }), value: t.arg.string({ required: true }) },
    resolve: async (_root, { runId, key, value }, ctx) => {
      await ctx.tracking.logBatch({ runId: String(runId), tags: [{ key, value }] }, commandContext(ctx.actor, { authenticated: ctx.access.authenticated }));
      return { runId: String(runId) };
    },
  }),
  deleteTag: t.field({
    type: LogResultType,
    errors: {},
    args: { runId: t.arg.id({ required: true }), key: t.arg.string({ required: true }) },
    resolve: async (_root, { runId, key }, ctx) => {
      await ctx.tracking.deleteRunTag(String(runId), key, commandContext(ctx.actor, { authenticated: ctx.access.authenticated }));
      return { runId: String(runId) };
    },
  }),
  logBatch: t.field({
    type: LogResultType,
    errors: {},
    description:
      "Metrics, params and tags in one atomic write, with MLflow's limits (1000 metric points, 100 params, 100 tags, 1000 in all). Points may come as `metrics` objects, as `metricSeries` arrays, or both.",
    args: {
      runId: t.arg.id({ required: true }),
      metrics: t.arg({ type: [MetricInput] }),
      metricSeries: t.arg({ type: [MetricSeriesInput] }),
      params: t.arg({ type: [KeyValueInput] }),
      tags: t.arg({ type: [KeyValueInput] }),
    },
    resolve: async (_root, args, ctx) => {
      await ctx.tracking.logBatch(
        { runId: String(args.runId), metrics: toMetrics(args.metrics ?? []), metricSeries: args.metricSeries ?? [], params: args.params ?? [], tags: args.tags ?? [] },
        commandContext(ctx.actor, { authenticated: ctx.access.authenticated }),
      );
      return { runId: String(args.runId) };
    },
  }),
}));
