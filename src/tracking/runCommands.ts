import type { z } from 'zod';
import type { NewEvent } from '../events/eventEnvelope.ts';
import { toStoredMetricValue } from '../events/metricValue.ts';
import { MetricsLogged, ParamsLogged, RunCreated, RunDeleted, RunRestored, RunTagDeleted, RunTagsSet, RunUpdated, type RunStatus } from '../events/runEvents.ts';
import { metadataFor, type CommandContext } from './commandContext.ts';
import { invalid, notFound } from './domainError.ts';
import type { ExperimentState } from './experimentsCatalog.ts';
import { randomRunName } from './ids.ts';
import type { RunState } from './runState.ts';
import { trackingLimits } from './trackingLimits.ts';
import { truncateValue, validateBatchSizes, validateKey, validateMetricValue, validateStep, validateTimestamp } from './validation.ts';

/** MLflow keeps the run name in this tag too; both stay in step. */
export const RUN_NAME_TAG = 'mlflow.runName';

export interface CreateRun {
  experimentId: string;
  runName?: string;
  userId?: string;
  startTime?: number;
  tags?: KeyValue[];
}
export interface UpdateRun {
  runId: string;
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}
export interface KeyValue {
  key: string;
  value: string;
}
export interface MetricInput {
  key: string;
  value: number | string;
  timestamp: number;
  step?: number;
  /** MLflow 3: the logged model this point measures (it must exist), and the dataset it was measured on. */
  modelId?: string;
  datasetName?: string;
  datasetDigest?: string;
}
/** Many points of one metric as parallel arrays: the compact form for large batches. */
export interface MetricSeries {
  key: string;
  values: (number | string)[];
  /** One per value; every point gets the command's time when absent. */
  timestamps?: number[] | null;
  /** One per value; 0 when absent, as in MLflow. */
  steps?: number[] | null;
}
export interface LogBatch {
  runId: string;
  metrics?: MetricInput[];
  metricSeries?: MetricSeries[];
  params?: KeyValue[];
  tags?: KeyValue[];
}

/** MLflow shows this tag as a run's user; clients set it to their OS user. */
export const USER_TAG = 'mlflow.user';

/**
 * With authentication on, a run's user is whoever the credentials prove, whatever the
 * client put in user_id or the mlflow.user tag: the tag is set to the actor (added at
 * creation, overwritten when logged later). Off, the client's values stand, as in MLflow.
 */
function withAuthenticatedUser(tags: KeyValue[], ctx: CommandContext, atCreation: boolean): KeyValue[] {
  if (!ctx.authenticated) return tags;
  const others = tags.filter((t) => t.key !== USER_TAG);
  return atCreation || others.length < tags.length ? [...others, { key: USER_TAG, value: ctx.actor }] : tags;
}

/** Run commands as pure decisions: they return the events to append or throw a DomainError. */
export const decideRun = {
  create(state: RunState, experiment: ExperimentState, runId: string, command: CreateRun, ctx: CommandContext): NewEvent[] {
    if (state.exists) throw invalid('run_id', `Run with id=${runId} already exists.`);
    const tags = withAuthenticatedUser((command.tags ?? []).map((t, i) => runTag(t, `tags[${i}]`)), ctx, true);
    const tagName = tags.find((t) => t.key === RUN_NAME_TAG)?.value;
    if (command.runName && tagName && command.runName !== tagName) {
      throw invalid('run_name', `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${command.runName}', mlflow.runName='${tagName}').`);
    }
    const runName = (command.runName || tagName || randomRunName()).slice(0, trackingLimits.maxRunNameLength);
    const startTime = command.startTime === undefined ? ctx.now.getTime() : validateTimestamp('start_time', command.startTime);
    return [
      RunCreated.create(
        {
          runId,
          experimentId: experiment.experimentId,
          runName,
          userId: (!ctx.authenticated && command.userId) || ctx.actor,
          startTime,
          artifactUri: `${experiment.artifactLocation}/${runId}/artifacts`,
          tags: [...tags.filter((t) => t.key !== RUN_NAME_TAG), { key: RUN_NAME_TAG, value: runName }],
        },
        metadataFor(ctx, 0),
      ),
    ];
  },

  update(state: RunState, command: UpdateRun, ctx: CommandContext): NewEvent[] {
    activeRun(state, command.runId);
    const data: { runId: string; status?: RunStatus; endTime?: number; runName?: string } = { runId: command.runId };
    if (command.status) data.status = command.status;
    if (command.endTime !== undefined && command.endTime !== null) data.endTime = validateTimestamp('end_time', command.endTime);
    if (command.runName) data.runName = command.runName.slice(0, trackingLimits.maxRunNameLength);
    if (Object.keys(data).length === 1) return [];
    return [RunUpdated.create(data, metadataFor(ctx, 0))];
  },

  delete(state: RunState, runId: string, ctx: CommandContext): NewEvent[] {
    existingRun(state, runId);
    if (state.lifecycleStage === 'deleted') return [];
    return [RunDeleted.create({ runId, deletedTime: ctx.now.getTime() }, metadataFor(ctx, 0))];
  },

  restore(state: RunState, runId: string, ctx: CommandContext): NewEvent[] {
    existingRun(state, runId);
    if (state.lifecycleStage === 'active') return [];
    return [RunRestored.create({ runId }, metadataFor(ctx, 0))];
  },

  /** log-batch, log-metric, log-param and set-tag all come here: one atomic append of up to three events. */
  logBatch(state: RunState, command: LogBatch, ctx: CommandContext): NewEvent[] {
    const metrics = command.metrics ?? [];
    const series = command.metricSeries ?? [];
    const params = command.params ?? [];
    const tags = command.tags ?? [];
    const seriesPoints = series.reduce((sum, s) => sum + (Array.isArray(s.values) ? s.values.length : 0), 0);
    validateBatchSizes({ metrics: metrics.length + seriesPoints, params: params.length, tags: tags.length });
    activeRun(state, command.runId);

    // A batch repeats few keys many times: check each distinct key once.
    const validKeys = new Set<string>();
    const metricKey = (field: string, key: string) => {
      if (!validKeys.has(key)) validKeys.add(validateKey(field, key, 'metric'));
      return key;
    };
    const storedMetrics: StoredMetricPoint[] = metrics.map((m, i) => ({
      key: metricKey(`metrics[${i}].key`, m.key),
      value: toStoredMetricValue(validateMetricValue(`metrics[${i}].value`, m.value)),
      timestamp: validateTimestamp(`metrics[${i}].timestamp`, m.timestamp),
      step: m.step === undefined || m.step === null ? 0 : validateStep(`metrics[${i}].step`, m.step),
      ...modelAndDataset(m),
    }));
    series.forEach((s, i) => storedMetrics.push(...seriesPointsOf(s, `metricSeries[${i}]`, metricKey, ctx.now.getTime())));

    const newParams: KeyValue[] = [];
    const seen = new Set<string>();
    params.forEach((p, i) => {
      const key = validateKey(`params[${i}].key`, p.key, 'param');
      const value = truncateValue(p.value, `params[${i}].value`, trackingLimits.paramValueLength);
      if (seen.has(key)) throw invalid(`params[${i}].key`, `Duplicate parameter keys have been submitted: ['${key}']. Please ensure the request contains only one param value per param key.`);
      seen.add(key);
      const existing = state.params.get(key);
      if (existing === undefined) newParams.push({ key, value });
      else if (existing !== value) {
        throw invalid(
          `params[${i}].value`,
          `Changing param values is not allowed. Param with key='${key}' was already logged with value='${existing}' for run ID='${command.runId}'. Attempted logging new value '${value}'.`,
        );
      }
    });

    const newTags = withAuthenticatedUser(tags.map((t, i) => runTag(t, `tags[${i}]`)), ctx, false);

    const events: NewEvent[] = [];
    if (newParams.length > 0) events.push(ParamsLogged.create({ runId: command.runId, params: newParams }, metadataFor(ctx, events.length)));
    if (newTags.length > 0) events.push(RunTagsSet.create({ runId: command.runId, tags: newTags }, metadataFor(ctx, events.length)));
    if (storedMetrics.length > 0) events.push(MetricsLogged.create({ runId: command.runId, metrics: storedMetrics }, metadataFor(ctx, events.length)));
    return events;
  },

  deleteTag(state: RunState, runId: string, key: string, ctx: CommandContext): NewEvent[] {
    activeRun(state, runId);
    if (!state.tagKeys.has(key)) throw notFound('key', `No tag with name: ${key} in run with id ${runId}`);
    return [RunTagDeleted.create({ runId, key }, metadataFor(ctx, 0))];
  },
};

type StoredMetricPoint = z.infer<typeof MetricsLogged.schema>['metrics'][number];

/** Only what was given is stored: a point without a model measures the run alone, as in MLflow. */
function modelAndDataset(m: MetricInput): Pick<StoredMetricPoint, 'modelId' | 'datasetName' | 'datasetDigest'> {
  const extra: Pick<StoredMetricPoint, 'modelId' | 'datasetName' | 'datasetDigest'> = {};
  if (m.modelId) extra.modelId = m.modelId;
  if (m.datasetName) extra.datasetName = m.datasetName;
  if (m.datasetDigest) extra.datasetDigest = m.datasetDigest;
  return extra;
}

/** Validates one series and spreads it into stored points, naming the array and index of any bad element. */
function seriesPointsOf(series: MetricSeries, field: string, metricKey: (field: string, key: string) => string, now: number) {
  const key = metricKey(`${field}.key`, series.key);
  const { values, timestamps, steps } = series;
  if (!Array.isArray(values)) throw invalid(`${field}.values`, `Missing value for required parameter '${field}.values'.`);
  for (const [name, column] of [['timestamps', timestamps], ['steps', steps]] as const) {
    if (column !== undefined && column !== null && (!Array.isArray(column) || column.length !== values.length)) {
      throw invalid(`${field}.${name}`, `'${field}.${name}' must have one element per value: expected ${values.length}, got ${Array.isArray(column) ? column.length : typeof column}.`);
    }
  }
  return values.map((value, j) => ({
    key,
    value: toStoredMetricValue(validateMetricValue(`${field}.values[${j}]`, value)),
    timestamp: timestamps ? validateTimestamp(`${field}.timestamps[${j}]`, timestamps[j]) : now,
    step: steps ? validateStep(`${field}.steps[${j}]`, steps[j]) : 0,
  }));
}

export function existingRun(state: RunState, runId: string): RunState {
  if (!state.exists) throw notFound('run_id', `Run with id=${runId} not found`);
  return state;
}

export function activeRun(state: RunState, runId: string): RunState {
  existingRun(state, runId);
  if (state.lifecycleStage !== 'active') {
    throw invalid('run_id', `The run ${runId} must be in the 'active' state. Current state is ${state.lifecycleStage}.`);
  }
  return state;
}

function runTag(tag: KeyValue, field: string): KeyValue {
  return { key: validateKey(`${field}.key`, tag.key, 'tag'), value: truncateValue(tag.value, `${field}.value`, trackingLimits.runTagValueLength) };
}
