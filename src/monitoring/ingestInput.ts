import type { GroundTruthRecord, PredictionRecord } from '../events/monitoringEvents.ts';
import { invalid } from '../tracking/domainError.ts';
import { ingestLimits } from './ingestLimits.ts';

/**
 * Turns one raw prediction or label (a JSON line, or a GraphQL input in the same
 * shape) into a stored record, or refuses it naming where: `at(field)` yields the
 * position text ("line 3, field \"time\"" on REST, "predictions[2].time" on GraphQL).
 */
export type Locator = (field: string) => string;

export interface ParsedPrediction {
  model: string;
  record: PredictionRecord;
}

export interface ParsedLabel {
  model: string;
  record: GroundTruthRecord;
}

const PREDICTION_FIELDS = new Set(['model', 'version', 'requestId', 'time', 'segment', 'predictedClass', 'probabilities', 'predictedValue', 'latencyMs', 'error', 'features']);
const LABEL_FIELDS = new Set(['model', 'requestId', 'label', 'time']);

type Raw = Record<string, unknown>;

function refuse(at: Locator, field: string, message: string): never {
  const where = at(field);
  throw invalid(where, `${where}: ${message}`);
}

function checkFields(raw: Raw, allowed: Set<string>, at: Locator): void {
  for (const key of Object.keys(raw)) {
    if (!allowed.has(key)) refuse(at, key, `unknown field; expected one of ${[...allowed].join(', ')}.`);
  }
}

function text(raw: Raw, field: string, at: Locator, maxLength: number, required: boolean): string | undefined {
  const value = raw[field];
  if (value === undefined || value === null) {
    if (required) refuse(at, field, 'is required.');
    return undefined;
  }
  if (typeof value !== 'string') refuse(at, field, `must be a string, got ${JSON.stringify(value)}.`);
  if (value.length === 0) refuse(at, field, 'must not be empty.');
  if (value.length > maxLength) refuse(at, field, `is ${value.length} characters long; the limit is ${maxLength}.`);
  return value;
}

/** Class labels may come as strings, numbers or booleans (serving code writes 1 or "1"); they are compared as text. */
function classLabel(value: unknown, field: string, at: Locator): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') refuse(at, field, `must be a string, number or boolean, got ${JSON.stringify(value)}.`);
  if (value.length === 0) refuse(at, field, 'must not be empty.');
  if (value.length > ingestLimits.maxLabelLength) refuse(at, field, `is ${value.length} characters long; the limit is ${ingestLimits.maxLabelLength}.`);
  return value;
}

function finiteNumber(raw: Raw, field: string, at: Locator, min?: number): number | undefined {
  const value = raw[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) refuse(at, field, `must be a finite number, got ${JSON.stringify(value)}.`);
  if (min !== undefined && value < min) refuse(at, field, `must be at least ${min}, got ${value}.`);
  return value;
}

/** Epoch milliseconds (integer) or an ISO-8601 string; absent means now. */
function time(raw: Raw, at: Locator, now: number): number {
  const value = raw.time;
  if (value === undefined || value === null) return now;
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) refuse(at, 'time', `must be epoch milliseconds (a non-negative integer) or an ISO-8601 string, got ${JSON.stringify(value)}.`);
    ms = value;
  } else if (typeof value === 'string') {
    ms = Date.parse(value);
    if (Number.isNaN(ms) || ms < 0) refuse(at, 'time', `is not an ISO-8601 time: ${JSON.stringify(value)}.`);
  } else {
    refuse(at, 'time', `must be epoch milliseconds or an ISO-8601 string, got ${JSON.stringify(value)}.`);
  }
  if (ms > now + ingestLimits.maxFutureMs) refuse(at, 'time', `is ${new Date(ms).toISOString()}, more than 24 hours after the server's clock (${new Date(now).toISOString()}).`);
  return ms;
}

function objectField(raw: Raw, field: string, at: Locator): Raw | undefined {
  const value = raw[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) refuse(at, field, `must be an object, got ${JSON.stringify(value)}.`);
  return value as Raw;
}

export function parsePrediction(raw: unknown, at: Locator, now: number, defaultModel?: string): ParsedPrediction {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) refuse(at, '(line)', 'must be a JSON object.');
  const r = raw as Raw;
  checkFields(r, PREDICTION_FIELDS, at);
  const model = text(r, 'model', at, ingestLimits.maxIdLength, defaultModel === undefined) ?? (defaultModel as string);
  const version = r.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) refuse(at, 'version', `must be a model version number (a positive integer), got ${JSON.stringify(version)}.`);
  const record: PredictionRecord = { requestId: text(r, 'requestId', at, ingestLimits.maxIdLength, true) as string, version, time: time(r, at, now) };
  const segment = text(r, 'segment', at, ingestLimits.maxIdLength, false);
  if (segment !== undefined) record.segment = segment;
  if (r.predictedClass !== undefined && r.predictedClass !== null) record.predictedClass = classLabel(r.predictedClass, 'predictedClass', at);
  const value = finiteNumber(r, 'predictedValue', at);
  if (value !== undefined) record.predictedValue = value;
  const probabilities = objectField(r, 'probabilities', at);
  if (probabilities) record.probabilities = parseProbabilities(probabilities, at);
  const latency = finiteNumber(r, 'latencyMs', at, 0);
  if (latency !== undefined) record.latencyMs = latency;
  if (r.error !== undefined && r.error !== null && r.error !== false) {
    if (r.error === true) record.error = 'error';
    else record.error = text(r, 'error', at, ingestLimits.maxErrorLength, true);
  }
  const features = objectField(r, 'features', at);
  if (features) record.features = parseFeatures(features, at);

  if (record.predictedClass !== undefined && record.predictedValue !== undefined) refuse(at, 'predictedValue', 'give predictedClass (classification) or predictedValue (regression), not both.');
  if (record.predictedClass === undefined && record.predictedValue === undefined && record.error === undefined) {
    refuse(at, 'predictedClass', 'a prediction needs predictedClass (classification) or predictedValue (regression), unless it carries an error.');
  }
  if (record.probabilities && record.predictedClass === undefined) refuse(at, 'probabilities', 'class probabilities need a predictedClass.');
  return { model, record };
}

function parseProbabilities(raw: Raw, at: Locator): Record<string, number> {
  const entries = Object.entries(raw);
  if (entries.length === 0) refuse(at, 'probabilities', 'must name at least one class.');
  if (entries.length > ingestLimits.maxClasses) refuse(at, 'probabilities', `names ${entries.length} classes; the limit is ${ingestLimits.maxClasses}.`);
  let total = 0;
  for (const [cls, p] of entries) {
    if (cls.length === 0 || cls.length > ingestLimits.maxLabelLength) refuse(at, 'probabilities', `class names must be 1 to ${ingestLimits.maxLabelLength} characters.`);
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1) refuse(at, `probabilities.${cls}`, `must be a probability between 0 and 1, got ${JSON.stringify(p)}.`);
    total += p;
  }
  if (total <= 0) refuse(at, 'probabilities', 'must not all be 0.');
  return raw as Record<string, number>;
}

function parseFeatures(raw: Raw, at: Locator): Record<string, number | string | null> {
  const entries = Object.entries(raw);
  if (entries.length > ingestLimits.maxFeatures) refuse(at, 'features', `has ${entries.length} features; the limit is ${ingestLimits.maxFeatures}.`);
  const out: Record<string, number | string | null> = {};
  for (const [name, value] of entries) {
    if (name.length === 0 || name.length > ingestLimits.maxIdLength) refuse(at, 'features', `feature names must be 1 to ${ingestLimits.maxIdLength} characters.`);
    if (value === null || (typeof value === 'number' && Number.isFinite(value))) out[name] = value;
    else if (typeof value === 'boolean') out[name] = String(value);
    else if (typeof value === 'string') {
      if (value.length > ingestLimits.maxFeatureTextLength) refuse(at, `features.${name}`, `is ${value.length} characters long; the limit is ${ingestLimits.maxFeatureTextLength}.`);
      out[name] = value;
    } else refuse(at, `features.${name}`, `must be a number, string, boolean or null, got ${JSON.stringify(value)}.`);
  }
  return out;
}

export function parseLabel(raw: unknown, at: Locator, now: number, defaultModel?: string): ParsedLabel {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) refuse(at, '(line)', 'must be a JSON object.');
  const r = raw as Raw;
  checkFields(r, LABEL_FIELDS, at);
  const model = text(r, 'model', at, ingestLimits.maxIdLength, defaultModel === undefined) ?? (defaultModel as string);
  const requestId = text(r, 'requestId', at, ingestLimits.maxIdLength, true) as string;
  if (r.label === undefined || r.label === null) refuse(at, 'label', 'is required.');
  return { model, record: { requestId, label: classLabel(r.label, 'label', at), time: time(r, at, now) } };
}
