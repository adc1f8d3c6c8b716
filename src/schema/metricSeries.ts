import type { ArgBuilder, SchemaTypes } from '@pothos/core';
import { downsampledSeries, type Bounds, type DownsampledSeries, type DownsampleRequest, type MetricAxis } from '../projections/metricDownsampling.ts';
import type { RunRow } from '../projections/runsReadModel.ts';
import { invalid, notFound } from '../tracking/domainError.ts';
import { validateKey, validateRunId } from '../tracking/validation.ts';
import { BatchLoader } from './batchLoader.ts';
import { builder } from './builder.ts';
import type { GraphQLContext } from './graphqlContext.ts';
import { checkListSize } from './liveArgs.ts';
import { MetricType } from './metric.ts';
import { RunType } from './run.ts';
import { LongScalar } from './scalars.ts';

/** Downsampled curves (M4, see metricDownsampling.ts): one run, many runs × one key, and the compare view. */

const limits = { minPoints: 4, maxPoints: 10_000, runs: 100, compareKeys: 50 } as const;

const MetricAxisEnum = builder.enumType('MetricAxis', {
  description: 'The x axis a curve is bucketed along.',
  values: { STEP: { value: 'step' }, TIMESTAMP: { value: 'timestamp' } } as const,
});

const LongRangeInput = builder.inputType('LongRange', {
  description: 'An inclusive range; either end may be left open.',
  fields: (t) => ({ from: t.field({ type: LongScalar }), to: t.field({ type: LongScalar }) }),
});

export const MetricSeriesType = builder.objectRef<DownsampledSeries>('MetricSeries').implement({
  description:
    "One metric of one run, at most maxPoints points in x order. When downsampled (M4), each of maxPoints/4 equal x buckets keeps its first, last, lowest and highest point, so extremes and the series' first and last points survive.",
  fields: (t) => ({
    runId: t.exposeID('runId'),
    key: t.exposeString('key'),
    totalPoints: t.exposeInt('totalPoints', { description: 'Points within the ranges before downsampling.' }),
    downsampled: t.exposeBoolean('downsampled'),
    points: t.field({ type: [MetricType], resolve: (s) => s.points }),
  }),
});

interface CurveArgs {
  maxPoints: number;
  stepRange?: { from?: number | null; to?: number | null } | null;
  timeRange?: { from?: number | null; to?: number | null } | null;
  axis?: MetricAxis | null;
}

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;

const curveArgs = (t: ArgBuilder<Types>) => ({
  maxPoints: t.int({ required: true, description: `At most this many points per curve (${limits.minPoints}–${limits.maxPoints}), e.g. the chart's width in pixels.` }),
  stepRange: t({ type: LongRangeInput }),
  timeRange: t({ type: LongRangeInput, description: 'Epoch milliseconds.' }),
  axis: t({ type: MetricAxisEnum, defaultValue: 'step' }),
});

function bounds(field: string, range: CurveArgs['stepRange']): Bounds | undefined {
  if (!range) return undefined;
  const from = range.from ?? undefined;
  const to = range.to ?? undefined;
  if (from !== undefined && to !== undefined && from > to) throw invalid(field, `'${field}.from' (${from}) must not be greater than '${field}.to' (${to}).`);
  return { from, to };
}

/** The validated options shared by every curve of a request. */
function curveOptions(args: CurveArgs): Omit<DownsampleRequest, 'series'> {
  if (!Number.isInteger(args.maxPoints) || args.maxPoints < limits.minPoints || args.maxPoints > limits.maxPoints) {
    throw invalid('maxPoints', `'maxPoints' must be between ${limits.minPoints} and ${limits.maxPoints}, got ${args.maxPoints}.`);
  }
  return { maxPoints: args.maxPoints, axis: args.axis ?? 'step', stepRange: bounds('stepRange', args.stepRange), timeRange: bounds('timeRange', args.timeRange) };
}

function checkRuns(runIds: readonly (string | number)[]): string[] {
  checkListSize('runIds', runIds, limits.runs);
  return [...new Set(runIds.map((id) => validateRunId('runIds', String(id))))];
}

/**
 * Run.downsampledMetricHistory on many runs of one response is one batch: per request,
 * one loader per distinct set of curve options, keyed by run and metric key.
 */
const curveLoaders = new WeakMap<GraphQLContext, Map<string, BatchLoader<DownsampledSeries | undefined>>>();
function curveLoader(ctx: GraphQLContext, options: Omit<DownsampleRequest, 'series'>): BatchLoader<DownsampledSeries | undefined> {
  let loaders = curveLoaders.get(ctx);
  if (!loaders) curveLoaders.set(ctx, (loaders = new Map()));
  const id = JSON.stringify(options);
  let loader = loaders.get(id);
  if (!loader) {
    loader = new BatchLoader(async (ids) => {
      const series = ids.map((id) => {
        const [runId, key] = id.split('\u0000');
        return { runId, key };
      });
      const found = await downsampledSeries(ctx.readDb, { ...options, series });
      return new Map(found.map((s) => [`${s.runId}\u0000${s.key}`, s]));
    }, undefined);
    loaders.set(id, loader);
  }
  return loader;
}

builder.objectField(RunType, 'downsampledMetricHistory', (t) =>
  t.field({
    type: MetricSeriesType,
    description: 'A metric of this run downsampled (M4) to at most maxPoints points; batched across the runs of a response.',
    args: { key: t.arg.string({ required: true }), ...curveArgs(t.arg) },
    resolve: async (run, args, ctx) => {
      const key = validateKey('key', args.key, 'metric');
      const series = await curveLoader(ctx, curveOptions(args)).load(`${run.runId}\u0000${key}`);
      return series ?? { runId: run.runId, key, totalPoints: 0, downsampled: false, points: [] };
    },
  }),
);

interface RunComparison {
  run: RunRow;
  curves: DownsampledSeries[];
}

const RunComparisonType = builder.objectRef<RunComparison>('RunComparison').implement({
  description: "One run of a comparison: the run (params, latestMetrics and the rest, batched across runs) and its curves for the chosen keys.",
  fields: (t) => ({
    run: t.field({ type: RunType, resolve: (c) => c.run }),
    curves: t.field({ type: [MetricSeriesType], resolve: (c) => c.curves }),
  }),
});

builder.queryFields((t) => ({
  metricSeries: t.field({
    type: [MetricSeriesType],
    description:
      "MLflow's get-history-bulk-interval, shape-preserving: one metric of many runs in one request, each curve downsampled (M4) to at most maxPoints points.",
    args: { runIds: t.arg.idList({ required: true }), key: t.arg.string({ required: true }), ...curveArgs(t.arg) },
    resolve: async (_root, args, ctx) => {
      const options = curveOptions(args);
      const key = validateKey('key', args.key, 'metric');
      return downsampledSeries(ctx.readDb, { ...options, series: checkRuns(args.runIds).map((runId) => ({ runId, key })) });
    },
  }),
  compareRuns: t.field({
    type: [RunComparisonType],
    description: 'The compare view in one request: runs in the order given, with downsampled curves for each chosen metric key. A fixed number of queries however many runs.',
    args: { runIds: t.arg.idList({ required: true }), metricKeys: t.arg.stringList({ required: true }), ...curveArgs(t.arg) },
    resolve: async (_root, args, ctx) => {
      const options = curveOptions(args);
      const runIds = checkRuns(args.runIds);
      checkListSize('metricKeys', args.metricKeys, limits.compareKeys);
      const keys = [...new Set(args.metricKeys.map((key) => validateKey('metricKeys', key, 'metric')))];
      const [runs, curves] = await Promise.all([
        Promise.all(runIds.map((id) => ctx.loaders.run.load(id))),
        downsampledSeries(ctx.readDb, { ...options, series: runIds.flatMap((runId) => keys.map((key) => ({ runId, key }))) }),
      ]);
      const missing = runIds.find((_, i) => !runs[i]);
      if (missing) throw notFound('runIds', `Run with id=${missing} not found`);
      return runs.map((run, i) => ({ run: run!, curves: curves.slice(i * keys.length, (i + 1) * keys.length) }));
    },
  }),
}));
