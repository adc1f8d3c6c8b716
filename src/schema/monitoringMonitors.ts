import type { AlertState } from '../events/monitoringEvents.ts';
import { evaluateMonitor, type Evaluation } from '../monitoring/monitorEvaluation.ts';
import type { EvaluationOutcome } from '../monitoring/monitorEvaluator.ts';
import { lookUpModel } from '../monitoring/modelLookup.ts';
import { alertHistory, type AlertTransitionRow } from '../projections/monitoringAlertsReadModel.ts';
import { activeMonitors, findMonitor, type MonitorRow } from '../projections/monitoringMonitorsReadModel.ts';
import { notFound } from '../tracking/domainError.ts';
import { builder } from './builder.ts';
import { AverageEnum } from './monitoringWindows.ts';
import { LongScalar } from './scalars.ts';

export const AlertStateEnum = builder.enumType('AlertState', {
  description: 'ok → pending (the condition holds, for less than the pending period) → firing → resolved (past the recovery margin) → pending again on a new breach.',
  values: ['OK', 'PENDING', 'FIRING', 'RESOLVED'] as const,
});
type AlertStateName = 'OK' | 'PENDING' | 'FIRING' | 'RESOLVED';
export const alertStateName = (s: AlertState) => s.toUpperCase() as AlertStateName;

const VerdictEnum = builder.enumType('MonitorVerdict', {
  description: 'BREACH: a bound is violated. CLEAR: every bound met by the recovery margin. HOLD: in between. UNKNOWN: no verdict (too few rows or labels, no baseline).',
  values: ['BREACH', 'CLEAR', 'HOLD', 'UNKNOWN'] as const,
});

export const AlertTransitionType = builder.objectRef<AlertTransitionRow>('AlertTransition').implement({
  description: 'One alert state change, as recorded in the log.',
  fields: (t) => ({
    id: t.exposeID('eventId', { description: 'Also the prefix of the webhook idempotency keys of this transition.' }),
    cursor: t.exposeString('position'),
    monitorId: t.exposeID('monitorId'),
    monitorName: t.exposeString('monitorName'),
    model: t.exposeString('modelName'),
    version: t.exposeInt('version'),
    from: t.field({ type: AlertStateEnum, resolve: (a) => alertStateName(a.from) }),
    to: t.field({ type: AlertStateEnum, resolve: (a) => alertStateName(a.to) }),
    at: t.field({ type: LongScalar, resolve: (a) => a.at }),
    value: t.float({ nullable: true, resolve: (a) => a.value ?? null }),
    baseline: t.float({ nullable: true, resolve: (a) => a.baseline ?? null }),
    windowStart: t.field({ type: LongScalar, resolve: (a) => a.windowStart }),
    windowEnd: t.field({ type: LongScalar, resolve: (a) => a.windowEnd }),
    count: t.exposeInt('count'),
    labelCoverage: t.float({ nullable: true, resolve: (a) => a.labelCoverage ?? null }),
    reason: t.exposeString('reason'),
  }),
});

const MonitorEvaluationType = builder.objectRef<Evaluation>('MonitorEvaluation').implement({
  fields: (t) => ({
    verdict: t.field({ type: VerdictEnum, resolve: (e) => e.verdict.toUpperCase() as 'BREACH' }),
    version: t.int({ nullable: true, resolve: (e) => e.version }),
    value: t.float({ nullable: true, resolve: (e) => e.value }),
    baseline: t.float({ nullable: true, description: "The source run's training metric, for change rules.", resolve: (e) => e.baseline }),
    windowStart: t.field({ type: LongScalar, resolve: (e) => e.windowStart }),
    windowEnd: t.field({ type: LongScalar, resolve: (e) => e.windowEnd }),
    count: t.exposeInt('count'),
    labelCoverage: t.float({ nullable: true, resolve: (e) => e.labelCoverage }),
    reason: t.exposeString('reason'),
  }),
});

export const MonitorType = builder.objectRef<MonitorRow>('Monitor').implement({
  description: 'A monitor: one metric or drift statistic of a model version (or of whatever version an alias names), judged over a window against a rule.',
  fields: (t) => ({
    id: t.id({ resolve: (m) => m.definition.monitorId }),
    name: t.string({ resolve: (m) => m.definition.name }),
    model: t.exposeString('modelName'),
    version: t.int({ nullable: true, resolve: (m) => m.definition.version ?? null }),
    alias: t.string({ nullable: true, resolve: (m) => m.definition.alias ?? null }),
    segment: t.string({ nullable: true, resolve: (m) => m.definition.segment ?? null }),
    metric: t.string({ nullable: true, resolve: (m) => (m.definition.metric.kind === 'performance' ? m.definition.metric.name : null) }),
    average: t.field({ type: AverageEnum, nullable: true, resolve: (m) => (m.definition.metric.kind === 'performance' && m.definition.metric.average ? (m.definition.metric.average.toUpperCase() as 'BINARY') : null) }),
    driftFeature: t.string({ nullable: true, resolve: (m) => (m.definition.metric.kind === 'drift' ? m.definition.metric.feature : null) }),
    driftStatistic: t.string({ nullable: true, resolve: (m) => (m.definition.metric.kind === 'drift' ? m.definition.metric.statistic : null) }),
    windowMs: t.field({ type: LongScalar, resolve: (m) => m.definition.windowMs }),
    threshold: t.float({ nullable: true, resolve: (m) => m.definition.rule.threshold ?? null }),
    minAbsoluteChange: t.float({ nullable: true, resolve: (m) => m.definition.rule.minAbsoluteChange ?? null }),
    minRelativeChange: t.float({ nullable: true, resolve: (m) => m.definition.rule.minRelativeChange ?? null }),
    greaterIsBetter: t.boolean({ resolve: (m) => m.definition.rule.greaterIsBetter }),
    baselineMetric: t.string({ nullable: true, resolve: (m) => m.definition.rule.baselineMetric ?? null }),
    recoveryMargin: t.float({ resolve: (m) => m.definition.rule.recoveryMargin }),
    minLabelCoverage: t.float({ resolve: (m) => m.definition.minLabelCoverage }),
    labelDelayMs: t.field({ type: LongScalar, resolve: (m) => m.definition.labelDelayMs }),
    minCount: t.int({ resolve: (m) => m.definition.minCount }),
    forMs: t.field({ type: LongScalar, description: 'The pending period.', resolve: (m) => m.definition.forMs }),
    createdAt: t.field({ type: LongScalar, resolve: (m) => m.definition.createdAt }),
    state: t.field({ type: AlertStateEnum, resolve: (m) => alertStateName(m.state) }),
    stateSince: t.field({ type: LongScalar, resolve: (m) => m.stateSince }),
    current: t.field({
      type: MonitorEvaluationType,
      description: 'The window as it stands now (computed on request; records nothing).',
      resolve: (m, _args, ctx) => evaluateMonitor(ctx.readDb, m.definition, ctx.monitoring.clock.now()),
    }),
    alerts: t.field({
      type: [AlertTransitionType],
      description: 'Newest first.',
      args: { first: t.arg.int({ defaultValue: 50 }), before: t.arg.string({ description: 'A cursor: only transitions before it.' }) },
      resolve: (m, args, ctx) => alertHistory(ctx.readDb, { monitorId: m.definition.monitorId, before: args.before ?? undefined, limit: Math.min(args.first ?? 50, 1000) }),
    }),
  }),
});

const EvaluationOutcomeType = builder.objectRef<EvaluationOutcome>('MonitorEvaluationOutcome').implement({
  fields: (t) => ({
    monitorId: t.exposeID('monitorId'),
    evaluation: t.field({ type: MonitorEvaluationType, resolve: (o) => o.evaluation }),
    transitions: t.field({ type: [AlertStateEnum], description: 'The states moved through by this evaluation.', resolve: (o) => o.transitions.map(alertStateName) }),
  }),
});

const EvaluationsType = builder.objectRef<{ outcomes: EvaluationOutcome[] }>('MonitorEvaluations').implement({
  fields: (t) => ({ outcomes: t.field({ type: [EvaluationOutcomeType], resolve: (e) => e.outcomes }) }),
});

const CreateMonitorInput = builder.inputType('CreateMonitorInput', {
  description:
    'Give `metric` (accuracy, precision, recall, f1, roc_auc, log_loss, mse, rmse, mae, r2, latency_p50/p95/p99, error_rate, prediction_count, label_coverage) or `driftFeature` with ' +
    '`driftStatistic` (psi, js_distance, ks_statistic, ks_p_value, chi2_p_value, wasserstein). The rule is MLflow’s MetricThreshold: `threshold`, and/or `minAbsoluteChange`/`minRelativeChange` — ' +
    'the degradation tolerated from the source run’s training metric — with `greaterIsBetter` (defaults by metric).',
  fields: (t) => ({
    model: t.string({ required: true }),
    name: t.string({ required: true }),
    version: t.int(),
    alias: t.string({ description: 'Follow an alias (champion): resolved at every evaluation.' }),
    segment: t.string(),
    metric: t.string(),
    average: t.field({ type: AverageEnum }),
    posLabel: t.string(),
    zeroDivision: t.int(),
    driftFeature: t.string(),
    driftStatistic: t.string(),
    windowMs: t.field({ type: LongScalar, required: true, description: 'A multiple of 5 minutes.' }),
    threshold: t.float(),
    minAbsoluteChange: t.float(),
    minRelativeChange: t.float(),
    greaterIsBetter: t.boolean(),
    baselineMetric: t.string({ description: 'The training metric key; default the metric name, then the name mlflow.evaluate logs.' }),
    recoveryMargin: t.float({ description: 'Hysteresis: a firing alert resolves only once every bound is met by this much.' }),
    minLabelCoverage: t.float({ description: 'No verdict on label metrics below this labelled share of the window (0..1).' }),
    labelDelayMs: t.field({ type: LongScalar, description: 'The window ends this long before now, so labels had time to arrive.' }),
    minCount: t.int({ description: 'No verdict below this many rows (labelled ones for label metrics). Default 1; 100 for drift.' }),
    forMs: t.field({ type: LongScalar, description: 'Pending period before firing. Default 0.' }),
  }),
});

const DeletedMonitorType = builder.objectRef<{ id: string }>('DeletedMonitor').implement({ fields: (t) => ({ id: t.exposeID('id') }) });

async function loadMonitor(readDb: Parameters<typeof findMonitor>[0], id: string): Promise<MonitorRow> {
  const monitor = await findMonitor(readDb, id);
  if (!monitor) throw notFound('id', `Monitor ${id} does not exist.`);
  return monitor;
}

builder.queryFields((t) => ({
  monitors: t.field({
    type: [MonitorType],
    args: { model: t.arg.string({ description: 'Only this model’s monitors.' }) },
    resolve: async (_root, { model }, ctx) => activeMonitors(ctx.readDb, model ? (await lookUpModel(ctx.readDb, model, 'model')).modelId : undefined),
  }),
  monitor: t.field({ type: MonitorType, nullable: true, args: { id: t.arg.id({ required: true }) }, resolve: async (_root, { id }, ctx) => (await findMonitor(ctx.readDb, String(id))) ?? null }),
  alertHistory: t.field({
    type: [AlertTransitionType],
    description: 'Alert transitions, newest first, of one model or one monitor (or all).',
    args: { model: t.arg.string(), monitorId: t.arg.id(), first: t.arg.int({ defaultValue: 100 }), before: t.arg.string() },
    resolve: async (_root, args, ctx) =>
      alertHistory(ctx.readDb, {
        modelId: args.model ? (await lookUpModel(ctx.readDb, args.model, 'model')).modelId : undefined,
        monitorId: args.monitorId ? String(args.monitorId) : undefined,
        before: args.before ?? undefined,
        limit: Math.min(args.first ?? 100, 1000),
      }),
  }),
}));

builder.mutationFields((t) => ({
  createMonitor: t.field({
    type: MonitorType,
    errors: {},
    args: { input: t.arg({ type: CreateMonitorInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { model, average, ...rest } = input;
      const undef = <T>(v: T | null | undefined) => v ?? undefined;
      const id = await ctx.monitoring.createMonitor(
        model,
        {
          name: rest.name,
          version: undef(rest.version),
          alias: undef(rest.alias),
          segment: undef(rest.segment),
          metric: undef(rest.metric),
          average: average ? average.toLowerCase() : undefined,
          posLabel: undef(rest.posLabel),
          zeroDivision: undef(rest.zeroDivision),
          driftFeature: undef(rest.driftFeature),
          driftStatistic: undef(rest.driftStatistic),
          windowMs: rest.windowMs,
          threshold: undef(rest.threshold),
          minAbsoluteChange: undef(rest.minAbsoluteChange),
          minRelativeChange: undef(rest.minRelativeChange),
          greaterIsBetter: undef(rest.greaterIsBetter),
          baselineMetric: undef(rest.baselineMetric),
          recoveryMargin: undef(rest.recoveryMargin),
          minLabelCoverage: undef(rest.minLabelCoverage),
          labelDelayMs: undef(rest.labelDelayMs),
          minCount: undef(rest.minCount),
          forMs: undef(rest.forMs),
        },
        ctx.monitoring.context(ctx.actor),
      );
      return loadMonitor(ctx.readDb, id);
    },
  }),
  deleteMonitor: t.field({
    type: DeletedMonitorType,
    errors: {},
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.monitoring.deleteMonitor(String(id), ctx.monitoring.context(ctx.actor));
      return { id: String(id) };
    },
  }),
  evaluateMonitors: t.field({
    type: EvaluationsType,
    errors: {},
    description: 'Evaluates monitors now (the server also does so on a schedule and on new data) and records any alert transition.',
    args: { model: t.arg.string() },
    resolve: async (_root, { model }, ctx) => ({
      outcomes: await ctx.monitoringRuntime.evaluator.evaluateAll(model ? (await lookUpModel(ctx.readDb, model, 'model')).modelId : undefined),
    }),
  }),
}));
