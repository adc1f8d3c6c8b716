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
}
export interface LogBatch {
  runId: string;
  metrics?: MetricInput[];
  params?: KeyValue[];
  tags?: KeyValue[];
}

/** Run commands as pure decisions: they return the events to append or throw a DomainError. */
export const decideRun = {
  create(state: RunState, experiment: ExperimentState, runId: string, command: CreateRun, ctx: CommandContext): NewEvent[] {
    if (state.exists) throw invalid('run_id', `Run with id=${runId} already exists.`);
    const tags = (command.tags ?? []).map((t, i) => runTag(t, `tags[${i}]`));
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
          userId: command.userId || ctx.actor,
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
    const params = command.params ?? [];
    const tags = command.tags ?? [];
    validateBatchSizes({ metrics: metrics.length, params: params.length, tags: tags.length });
    activeRun(state, command.runId);

    const storedMetrics = metrics.map((m, i) => ({
      key: validateKey(`metrics[${i}].key`, m.key, 'metric'),
      value: toStoredMetricValue(validateMetricValue(`metrics[${i}].value`, m.value)),
      timestamp: validateTimestamp(`metrics[${i}].timestamp`, m.timestamp),
      step: m.step === undefined || m.step === null ? 0 : validateStep(`metrics[${i}].step`, m.step),
    }));

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

    const newTags = tags.map((t, i) => runTag(t, `tags[${i}]`));

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
