import { invalid } from './domainError.ts';
import { trackingLimits } from './trackingLimits.ts';

const KEY_CHARACTERS = /^[/\w.\- :]*$/;

/** Metric, param and tag keys: MLflow's characters, length, and no path tricks. */
export function validateKey(field: string, key: unknown, kind: 'metric' | 'param' | 'tag'): string {
  if (typeof key !== 'string' || key.length === 0) throw invalid(field, `Missing value for required parameter '${field}'.`);
  if (key.length > trackingLimits.keyLength) {
    throw invalid(field, `${capital(kind)} key '${key.slice(0, 40)}…' had length ${key.length}, which exceeded length limit of ${trackingLimits.keyLength}.`);
  }
  if (!KEY_CHARACTERS.test(key)) {
    throw invalid(field, `Invalid ${kind} name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).`);
  }
  const normalised = normalisePath(key);
  if (normalised !== key || normalised === '.' || normalised.startsWith('..') || normalised.startsWith('/')) {
    throw invalid(field, `Invalid ${kind} name: '${key}'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${normalised}'.`);
  }
  return key;
}

/** Over-long param and tag values are truncated, not refused: MLflow's default (MLFLOW_TRUNCATE_LONG_VALUES). */
export function truncateValue(value: unknown, field: string, limit: number): string {
  if (typeof value !== 'string') throw invalid(field, `Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: expected a string.`);
  return value.length > limit ? value.slice(0, limit) : value;
}

export function validateMetricValue(field: string, value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
  throw invalid(field, `Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: it must be a number (NaN and ±Infinity are accepted).`);
}

export function validateTimestamp(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(field, `Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: it must be a non-negative integer of milliseconds since the epoch.`);
  }
  return value;
}

export function validateStep(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw invalid(field, `Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: it must be an integer.`);
  }
  return value;
}

export function validateRunId(field: string, runId: unknown): string {
  if (typeof runId !== 'string' || runId.length === 0) throw invalid(field, `Missing value for required parameter '${field}'.`);
  if (!/^[a-zA-Z0-9][\w-]{0,255}$/.test(runId)) throw invalid(field, `Invalid value '${runId}' for parameter '${field}': not a run id.`);
  return runId;
}

export function validateExperimentId(field: string, experimentId: unknown): string {
  if (typeof experimentId !== 'string' || experimentId.length === 0) throw invalid(field, `Missing value for required parameter '${field}'.`);
  if (!/^[a-zA-Z0-9][\w-]{0,63}$/.test(experimentId)) throw invalid(field, `Invalid experiment ID: '${experimentId}'`);
  return experimentId;
}

export function validateExperimentName(field: string, name: unknown): string {
  if (typeof name !== 'string' || name.trim().length === 0) throw invalid(field, `Missing value for required parameter '${field}'.`);
  if (name.length > trackingLimits.experimentNameLength) {
    throw invalid(field, `Experiment name exceeds the maximum length of ${trackingLimits.experimentNameLength} characters (got ${name.length}).`);
  }
  return name;
}

export function validateBatchSizes(counts: { metrics: number; params: number; tags: number }): void {
  const { batchMetrics, batchParams, batchTags, batchTotal } = trackingLimits;
  if (counts.metrics > batchMetrics) throw invalid('metrics', `A batch logging request can contain at most ${batchMetrics} metrics. Got ${counts.metrics} metrics.`);
  if (counts.params > batchParams) throw invalid('params', `A batch logging request can contain at most ${batchParams} params. Got ${counts.params} params.`);
  if (counts.tags > batchTags) throw invalid('tags', `A batch logging request can contain at most ${batchTags} tags. Got ${counts.tags} tags.`);
  const total = counts.metrics + counts.params + counts.tags;
  if (total > batchTotal) throw invalid('metrics', `A batch logging request can contain at most ${batchTotal} metrics, params and tags in total. Got ${total}.`);
}

/** posixpath.normpath's effect on the names MLflow checks: '.' and '..' segments, repeated and leading slashes. */
function normalisePath(path: string): string {
  const leading = path.startsWith('/') ? (path.startsWith('//') && !path.startsWith('///') ? '//' : '/') : '';
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else if (part !== '..' || !leading) parts.push(part);
  }
  return leading + parts.join('/') || '.';
}

function capital(word: string): string {
  return word[0].toUpperCase() + word.slice(1);
}
