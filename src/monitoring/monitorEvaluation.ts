import type { SqlExecutor } from '../db/sqlDb.ts';
import type { MonitorDefinition } from '../events/monitoringEvents.ts';
import { latestMetricsOfRuns } from '../projections/latestMetricsReadModel.ts';
import { aliasesOfModels } from '../projections/registryAliasesReadModel.ts';
import { versionsOfModel } from '../projections/registryVersionsReadModel.ts';
import { alignDown } from './bucketTime.ts';
import { judge, type Bound, type RuleVerdict } from './metricThresholdRule.ts';
import { driftValue, needsLabels, performanceValue, trainingMetricKeys } from './monitoredValue.ts';
import { driftWindow, metricsWindow } from './windowQueries.ts';

/** One look at a monitor's window: the value, what it is held to, and the verdict. */
export interface Evaluation {
  verdict: RuleVerdict;
  modelName: string;
  version: number | null;
  value: number | null;
  baseline: number | null;
  windowStart: number;
  windowEnd: number;
  count: number;
  labelCoverage: number | null;
  reason: string;
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/\.?0+$/, ''));

/**
 * The window ends at the last bucket boundary at least labelDelayMs before now (only
 * whole buckets, and labels had that long to arrive) and spans windowMs. No verdict
 * ('unknown') below minCount rows, below minLabelCoverage for label metrics, without
 * a value, or without the training baseline a change rule needs.
 */
export async function evaluateMonitor(db: SqlExecutor, definition: MonitorDefinition, now: number): Promise<Evaluation> {
  const windowEnd = alignDown(now - definition.labelDelayMs);
  const windowStart = windowEnd - definition.windowMs;
  const versions = await versionsOfModel(db, definition.modelId);
  const modelName = versions[0]?.name ?? definition.modelId;
  const base = { modelName, windowStart, windowEnd, value: null, baseline: null, count: 0, labelCoverage: null };
  let version = definition.version ?? null;
  if (definition.alias !== undefined) {
    version = (await aliasesOfModels(db, [definition.modelId])).get(definition.modelId)?.find((a) => a.alias === definition.alias)?.version ?? null;
    if (version === null) return { ...base, verdict: 'unknown', version, reason: `alias '${definition.alias}' points at no version` };
  }
  const row = versions.find((v) => v.version === version);
  if (version === null || !row) return { ...base, verdict: 'unknown', version, reason: `version ${version} does not exist` };
  const query = { modelId: definition.modelId, version, segment: definition.segment };
  const range = { start: windowStart, end: windowEnd };
  const metric = definition.metric;
  const label = metric.kind === 'performance' ? metric.name : `${metric.statistic}(${metric.feature})`;

  let value: number | null;
  let count: number;
  let labelCoverage: number | null = null;
  if (metric.kind === 'performance') {
    const window = await metricsWindow(db, query, range, { posLabel: metric.posLabel, zeroDivision: metric.zeroDivision });
    value = performanceValue(metric, window.metrics);
    labelCoverage = window.metrics.labelCoverage;
    count = needsLabels(metric) ? window.metrics.labelled : window.metrics.predictions;
    if (needsLabels(metric) && (labelCoverage ?? 0) < definition.minLabelCoverage) {
      return { ...base, verdict: 'unknown', version, value, count, labelCoverage, reason: `label coverage ${fmt(labelCoverage ?? 0)} below ${fmt(definition.minLabelCoverage)}` };
    }
  } else {
    const drift = await driftWindow(db, query, range, definition.minCount, [metric.feature]);
    const report = drift?.features[0];
    if (!report) return { ...base, verdict: 'unknown', version, reason: drift ? `feature '${metric.feature}' is not in the reference profile` : `version ${version} has no reference profile` };
    value = driftValue(metric, report);
    count = report.currentCount;
  }
  if (count < definition.minCount) return { ...base, verdict: 'unknown', version, value, count, labelCoverage, reason: `${count} rows, below the minimum of ${definition.minCount}` };
  if (value === null || Number.isNaN(value)) return { ...base, verdict: 'unknown', version, value: null, count, labelCoverage, reason: `${label} is undefined for this window` };

  let baseline: number | null = null;
  if (definition.rule.minAbsoluteChange !== undefined || definition.rule.minRelativeChange !== undefined) {
    const keys = trainingMetricKeys(metric, definition.rule.baselineMetric);
    const metrics = row.runId ? ((await latestMetricsOfRuns(db, [row.runId])).get(row.runId) ?? []) : [];
    baseline = keys.map((k) => metrics.find((m) => m.key === k)?.value).find((v) => v !== undefined && Number.isFinite(v)) ?? null;
  }
  const { verdict, bounds, violated } = judge(value, definition.rule, baseline);
  const common = { ...base, version, value, baseline, count, labelCoverage };
  if (verdict === 'unknown') return { ...common, verdict, reason: `no training metric ${trainingMetricKeys(metric, definition.rule.baselineMetric).join(' or ')} on the source run to compare with` };
  return { ...common, verdict, reason: explain(label, value, verdict, violated.length > 0 ? violated : bounds, definition.rule.greaterIsBetter, definition.rule.recoveryMargin) };
}

function explain(label: string, value: number, verdict: RuleVerdict, bounds: Bound[], greaterIsBetter: boolean, margin: number): string {
  const worse = greaterIsBetter ? '<' : '>';
  const better = greaterIsBetter ? '>=' : '<=';
  const named = (b: Bound) => `${b.kind} bound ${fmt(b.value)}`;
  if (verdict === 'breach') return `${label} ${fmt(value)} ${worse} ${bounds.map(named).join(' and ')}`;
  if (verdict === 'clear') return `${label} ${fmt(value)} ${better} ${bounds.map(named).join(' and ')}${margin > 0 ? ` by the recovery margin ${fmt(margin)}` : ''}`;
  return `${label} ${fmt(value)} within the recovery margin ${fmt(margin)} of ${bounds.map(named).join(' and ')}`;
}
