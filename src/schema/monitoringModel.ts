import { findReferenceProfile } from '../projections/monitoringProfilesReadModel.ts';
import { activeMonitors } from '../projections/monitoringMonitorsReadModel.ts';
import { alertHistory } from '../projections/monitoringAlertsReadModel.ts';
import { segmentsInRange } from '../projections/monitoringWindowsReadModel.ts';
import { monitoringReads, type MonitoringTarget } from '../monitoring/monitoringReads.ts';
import { invalid } from '../tracking/domainError.ts';
import { builder } from './builder.ts';
import { MetricType } from './metric.ts';
import { AlertTransitionType, MonitorType } from './monitoringMonitors.ts';
import { ReferenceProfileType } from './monitoringProfile.ts';
import { DriftWindowType, MonitoringWindowType } from './monitoringWindows.ts';
import { LongScalar } from './scalars.ts';

const SegmentCountType = builder.objectRef<{ segment: string; predictions: number }>('SegmentCount').implement({
  fields: (t) => ({ segment: t.exposeString('segment', { description: "'' for predictions without a segment." }), predictions: t.exposeInt('predictions') }),
});

const zd = (value: number | null | undefined) => {
  if (value === null || value === undefined) return undefined;
  if (value !== 0 && value !== 1) throw invalid('zeroDivision', `zeroDivision must be 0 or 1, got ${value}.`);
  return value as 0 | 1;
};

const ModelMonitoringType = builder.objectRef<MonitoringTarget>('ModelMonitoring').implement({
  description: 'Production monitoring of one model version: live windows, drift, monitors and alerts, beside the training metrics of the run it came from.',
  fields: (t) => ({
    model: t.string({ resolve: (m) => m.model.name }),
    version: t.exposeInt('version'),
    sourceRunId: t.string({ nullable: true, resolve: (m) => m.runId ?? null }),
    trainingMetrics: t.field({
      type: [MetricType],
      description: "The source run's latest metrics, to hold live metrics against.",
      resolve: (m, _args, ctx) => monitoringReads(ctx.readDb).trainingMetrics(m),
    }),
    window: t.field({
      type: MonitoringWindowType,
      description: 'One window over [from, to), widened to whole 5-minute buckets.',
      args: {
        from: t.arg({ type: LongScalar, required: true }),
        to: t.arg({ type: LongScalar, required: true }),
        segment: t.arg.string({ description: "Only this segment ('' = none); all merged when omitted." }),
        posLabel: t.arg.string(),
        zeroDivision: t.arg.int({ description: '0 (default, sklearn\'s "warn") or 1.' }),
      },
      resolve: async (m, args, ctx) =>
        (await monitoringReads(ctx.readDb).metrics(m, { from: args.from, to: args.to, segment: args.segment ?? undefined, posLabel: args.posLabel ?? undefined, zeroDivision: zd(args.zeroDivision) }))[0],
    }),
    series: t.field({
      type: [MonitoringWindowType],
      description: 'Windows of windowMs every stepMs (default windowMs: tumbling) over [from, to): the metrics over time.',
      args: {
        from: t.arg({ type: LongScalar, required: true }),
        to: t.arg({ type: LongScalar, required: true }),
        windowMs: t.arg({ type: LongScalar, required: true }),
        stepMs: t.arg({ type: LongScalar }),
        segment: t.arg.string(),
        posLabel: t.arg.string(),
        zeroDivision: t.arg.int(),
      },
      resolve: (m, args, ctx) =>
        monitoringReads(ctx.readDb).metrics(m, {
          from: args.from,
          to: args.to,
          windowMs: args.windowMs,
          stepMs: args.stepMs ?? undefined,
          segment: args.segment ?? undefined,
          posLabel: args.posLabel ?? undefined,
          zeroDivision: zd(args.zeroDivision),
        }),
    }),
    drift: t.field({
      type: DriftWindowType,
      nullable: true,
      description: 'Each profiled feature against the reference profile over [from, to); null without a profile.',
      args: {
        from: t.arg({ type: LongScalar, required: true }),
        to: t.arg({ type: LongScalar, required: true }),
        segment: t.arg.string(),
        minCount: t.arg.int({ description: 'No verdict below this many current rows (default 100).' }),
        features: t.arg.stringList(),
      },
      resolve: (m, args, ctx) =>
        monitoringReads(ctx.readDb).drift(m, { from: args.from, to: args.to, segment: args.segment ?? undefined, minCount: args.minCount ?? undefined, features: args.features ?? undefined }),
    }),
    segments: t.field({
      type: [SegmentCountType],
      args: { from: t.arg({ type: LongScalar, required: true }), to: t.arg({ type: LongScalar, required: true }) },
      resolve: (m, args, ctx) => segmentsInRange(ctx.readDb, m.model.modelId, m.version, args.from, args.to),
    }),
    referenceProfile: t.field({ type: ReferenceProfileType, nullable: true, resolve: async (m, _a, ctx) => (await findReferenceProfile(ctx.readDb, m.model.modelId, m.version)) ?? null }),
    monitors: t.field({ type: [MonitorType], description: "The model's monitors.", resolve: (m, _a, ctx) => activeMonitors(ctx.readDb, m.model.modelId) }),
    alerts: t.field({
      type: [AlertTransitionType],
      description: "The model's alert transitions, newest first.",
      args: { first: t.arg.int({ defaultValue: 50 }) },
      resolve: (m, args, ctx) => alertHistory(ctx.readDb, { modelId: m.model.modelId, limit: Math.min(args.first ?? 50, 1000) }),
    }),
  }),
});

builder.queryFields((t) => ({
  modelMonitoring: t.field({
    type: ModelMonitoringType,
    errors: {},
    description: 'Production monitoring of a registered model version, given by number or by alias (champion).',
    args: { model: t.arg.string({ required: true }), version: t.arg.int(), alias: t.arg.string() },
    resolve: (_root, args, ctx) => monitoringReads(ctx.readDb).target(args.model, args.version ?? undefined, args.alias ?? undefined),
  }),
}));
