import type { MonitorDefinition, MonitoredMetric, ThresholdRule } from '../events/monitoringEvents.ts';
import { averageName, driftStatisticName, performanceMetricName } from '../events/monitoringEvents.ts';
import { invalid } from '../tracking/domainError.ts';
import { BUCKET_MS } from './bucketTime.ts';
import { DEFAULT_DRIFT_MIN_COUNT } from './featureDrift.ts';
import { greaterIsBetterByDefault } from './monitoredValue.ts';

/** A monitor as a caller describes it (GraphQL input). */
export interface MonitorInput {
  name: string;
  version?: number;
  alias?: string;
  segment?: string;
  metric?: string;
  average?: string;
  posLabel?: string;
  zeroDivision?: number;
  driftFeature?: string;
  driftStatistic?: string;
  windowMs: number;
  threshold?: number;
  minAbsoluteChange?: number;
  minRelativeChange?: number;
  greaterIsBetter?: boolean;
  baselineMetric?: string;
  recoveryMargin?: number;
  minLabelCoverage?: number;
  labelDelayMs?: number;
  minCount?: number;
  forMs?: number;
}

export const MAX_WINDOW_MS = 90 * 24 * 60 * 60 * 1000;

function nonNegative(value: number | undefined, field: string, fallback: number, integer = false): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0 || (integer && !Number.isSafeInteger(v))) throw invalid(field, `${field} must be a non-negative ${integer ? 'integer' : 'number'}, got ${v}.`);
  return v;
}

function metricOf(input: MonitorInput): MonitoredMetric {
  if (input.driftFeature !== undefined || input.driftStatistic !== undefined) {
    if (input.metric !== undefined) throw invalid('metric', 'Give a performance metric or a drift feature and statistic, not both.');
    if (!input.driftFeature) throw invalid('driftFeature', 'A drift monitor needs driftFeature (a feature of the reference profile, or __prediction).');
    const statistic = driftStatisticName.safeParse(input.driftStatistic);
    if (!statistic.success) throw invalid('driftStatistic', `driftStatistic must be one of ${driftStatisticName.options.join(', ')}, got ${JSON.stringify(input.driftStatistic)}.`);
    return { kind: 'drift', feature: input.driftFeature, statistic: statistic.data };
  }
  const name = performanceMetricName.safeParse(input.metric);
  if (!name.success) throw invalid('metric', `metric must be one of ${performanceMetricName.options.join(', ')}, got ${JSON.stringify(input.metric)}.`);
  const metric: MonitoredMetric = { kind: 'performance', name: name.data };
  if (input.average !== undefined) {
    const average = averageName.safeParse(input.average);
    if (!average.success) throw invalid('average', `average must be one of ${averageName.options.join(', ')}, got ${JSON.stringify(input.average)}.`);
    metric.average = average.data;
  }
  if (input.posLabel !== undefined) metric.posLabel = input.posLabel;
  if (input.zeroDivision !== undefined) {
    if (input.zeroDivision !== 0 && input.zeroDivision !== 1) throw invalid('zeroDivision', `zeroDivision must be 0 or 1, got ${input.zeroDivision}.`);
    metric.zeroDivision = input.zeroDivision;
  }
  return metric;
}

function ruleOf(input: MonitorInput, metric: MonitoredMetric): ThresholdRule {
  if (input.threshold === undefined && input.minAbsoluteChange === undefined && input.minRelativeChange === undefined) {
    throw invalid('threshold', 'A monitor needs a threshold, or a minAbsoluteChange/minRelativeChange against the source run’s training metric.');
  }
  const rule: ThresholdRule = { greaterIsBetter: input.greaterIsBetter ?? greaterIsBetterByDefault(metric), recoveryMargin: nonNegative(input.recoveryMargin, 'recoveryMargin', 0) };
  if (input.threshold !== undefined) {
    if (!Number.isFinite(input.threshold)) throw invalid('threshold', 'threshold must be a finite number.');
    rule.threshold = input.threshold;
  }
  if (input.minAbsoluteChange !== undefined) rule.minAbsoluteChange = nonNegative(input.minAbsoluteChange, 'minAbsoluteChange', 0);
  if (input.minRelativeChange !== undefined) rule.minRelativeChange = nonNegative(input.minRelativeChange, 'minRelativeChange', 0);
  if (input.baselineMetric !== undefined) {
    if (metric.kind === 'drift') throw invalid('baselineMetric', 'Drift monitors have no training baseline; use threshold.');
    rule.baselineMetric = input.baselineMetric;
  }
  if (metric.kind === 'drift' && (rule.minAbsoluteChange !== undefined || rule.minRelativeChange !== undefined)) throw invalid('minAbsoluteChange', 'Drift monitors compare with a threshold only.');
  return rule;
}

/** Validates a monitor; the model is resolved by the caller. */
export function monitorDefinitionOf(input: MonitorInput, ids: { monitorId: string; modelId: string }, now: number): MonitorDefinition {
  if (typeof input.name !== 'string' || input.name.trim() === '' || input.name.length > 256) throw invalid('name', 'name must be 1 to 256 characters.');
  if ((input.version === undefined) === (input.alias === undefined)) throw invalid('version', 'Give either version or alias (such as champion), not both or neither.');
  if (input.version !== undefined && (!Number.isSafeInteger(input.version) || input.version < 1)) throw invalid('version', `version must be a positive integer, got ${input.version}.`);
  if (input.alias !== undefined && !/^[\w-]{1,255}$/.test(input.alias)) throw invalid('alias', `alias must be 1 to 255 letters, digits, '_' or '-', got ${JSON.stringify(input.alias)}.`);
  if (!Number.isSafeInteger(input.windowMs) || input.windowMs < BUCKET_MS || input.windowMs % BUCKET_MS !== 0 || input.windowMs > MAX_WINDOW_MS) {
    throw invalid('windowMs', `windowMs must be a multiple of ${BUCKET_MS} (5 minutes) up to ${MAX_WINDOW_MS} (90 days), got ${input.windowMs}.`);
  }
  const metric = metricOf(input);
  const minLabelCoverage = nonNegative(input.minLabelCoverage, 'minLabelCoverage', 0);
  if (minLabelCoverage > 1) throw invalid('minLabelCoverage', `minLabelCoverage is a share between 0 and 1, got ${minLabelCoverage}.`);
  const definition: MonitorDefinition = {
    monitorId: ids.monitorId,
    name: input.name,
    modelId: ids.modelId,
    metric,
    windowMs: input.windowMs,
    rule: ruleOf(input, metric),
    minLabelCoverage,
    labelDelayMs: nonNegative(input.labelDelayMs, 'labelDelayMs', 0, true),
    minCount: nonNegative(input.minCount, 'minCount', metric.kind === 'drift' ? DEFAULT_DRIFT_MIN_COUNT : 1, true),
    forMs: nonNegative(input.forMs, 'forMs', 0, true),
    createdAt: now,
  };
  if (input.version !== undefined) definition.version = input.version;
  if (input.alias !== undefined) definition.alias = input.alias;
  if (input.segment !== undefined) definition.segment = input.segment;
  return definition;
}
