import type { RunMetricsPayload } from '../subscriptions/runMetricsSpec.ts';
import { runMetricsSpec } from '../subscriptions/runMetricsSpec.ts';
import { runStatusSpec, type RunStatusPayload } from '../subscriptions/runStatusSpec.ts';
import { experimentRunsSpec, type NewRunPayload } from '../subscriptions/experimentRunsSpec.ts';
import { validateExperimentId, validateRunId } from '../tracking/validation.ts';
import { builder } from './builder.ts';
import { TagType } from './keyValue.ts';
import { checkListSize, liveArgDescriptions, startFrom, unwrapLive } from './liveArgs.ts';
import { MetricType } from './metric.ts';
import { RunStatusEnum } from './run.ts';
import { LongScalar } from './scalars.ts';

const maxRunsPerSubscription = 100;
const maxKeysPerSubscription = 100;

const RunMetricPointsType = builder.objectRef<RunMetricsPayload>('RunMetricPoints').implement({
  description:
    'The points of one log call, exactly as logged (taken from the event log, so they may arrive before a query ' +
    'of the read models shows them).',
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    runId: t.exposeID('runId'),
    recordedAt: t.exposeString('recordedAt'),
    points: t.field({ type: [MetricType], resolve: (p) => p.points }),
  }),
});

const RunStatusChangeType = builder.objectRef<RunStatusPayload>('RunStatusChange').implement({
  description: 'A run status as of one event: RUNNING when the run was created, then every status update.',
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    runId: t.exposeID('runId'),
    status: t.field({ type: RunStatusEnum, resolve: (p) => p.status }),
    endTime: t.field({ type: LongScalar, nullable: true, resolve: (p) => p.endTime ?? null }),
    recordedAt: t.exposeString('recordedAt'),
    actor: t.exposeString('actor'),
  }),
});

const NewRunType = builder.objectRef<NewRunPayload>('NewRun').implement({
  description: 'A run created in an experiment, as logged.',
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    runId: t.exposeID('runId'),
    experimentId: t.exposeID('experimentId'),
    runName: t.exposeString('runName'),
    userId: t.exposeString('userId'),
    startTime: t.field({ type: LongScalar, resolve: (p) => p.startTime }),
    tags: t.field({ type: [TagType], resolve: (p) => p.tags }),
    recordedAt: t.exposeString('recordedAt'),
  }),
});

function checkRunIds(runIds: readonly (string | number)[]): string[] {
  checkListSize('runIds', runIds, maxRunsPerSubscription);
  return runIds.map((id) => validateRunId('runIds', String(id)));
}

builder.subscriptionFields((t) => ({
  runMetrics: t.field({
    type: RunMetricPointsType,
    description: 'Metric points of one or more runs as they are logged, optionally only some keys.',
    args: {
      runIds: t.arg.idList({ required: true }),
      keys: t.arg.stringList({ description: 'Only these metric keys; all when omitted.' }),
      after: t.arg.string({ description: liveArgDescriptions.after }),
      fromStart: t.arg.boolean({ description: liveArgDescriptions.fromStart }),
    },
    subscribe: (_root, args, ctx) => {
      const runIds = checkRunIds(args.runIds);
      if (args.keys) checkListSize('keys', args.keys, maxKeysPerSubscription);
      return ctx.live.open(runMetricsSpec(runIds, args.keys ?? undefined), startFrom(args.after, args.fromStart));
    },
    resolve: (item) => unwrapLive(item),
  }),
  runStatusChanges: t.field({
    type: RunStatusChangeType,
    description: 'Status changes of one or more runs.',
    args: {
      runIds: t.arg.idList({ required: true }),
      after: t.arg.string({ description: liveArgDescriptions.after }),
      fromStart: t.arg.boolean({ description: liveArgDescriptions.fromStart }),
    },
    subscribe: (_root, args, ctx) => ctx.live.open(runStatusSpec(checkRunIds(args.runIds)), startFrom(args.after, args.fromStart)),
    resolve: (item) => unwrapLive(item),
  }),
  newRuns: t.field({
    type: NewRunType,
    description: 'Runs created in an experiment. `fromStart` reads the whole log; prefer `after` with a recent cursor.',
    args: {
      experimentId: t.arg.id({ required: true }),
      after: t.arg.string({ description: liveArgDescriptions.after }),
      fromStart: t.arg.boolean({ description: liveArgDescriptions.fromStart }),
    },
    subscribe: (_root, args, ctx) =>
      ctx.live.open(experimentRunsSpec(validateExperimentId('experimentId', String(args.experimentId))), startFrom(args.after, args.fromStart)),
    resolve: (item) => unwrapLive(item),
  }),
}));
