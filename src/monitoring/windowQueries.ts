import type { SqlExecutor } from '../db/sqlDb.ts';
import { bucketsInRange, bucketVersionsInRange, type BucketQuery, type StoredBucket } from '../projections/monitoringWindowsReadModel.ts';
import { findReferenceProfile } from '../projections/monitoringProfilesReadModel.ts';
import { invalid } from '../tracking/domainError.ts';
import { alignDown, alignUp, BUCKET_MS } from './bucketTime.ts';
import { mergeBuckets, type BucketSums } from './bucketSums.ts';
import { emptyDriftSums, mergeDriftInto, type DriftSums } from './driftSums.ts';
import { featureDrift, type FeatureDriftReport } from './featureDrift.ts';
import { HOUR_MS, HourCache, type MergedHour } from './hourCache.ts';
import { windowMetrics, type MetricOptions, type WindowMetrics } from './windowMetrics.ts';

export interface WindowRange {
  /** Inclusive, aligned down to a bucket. */
  start: number;
  /** Exclusive, aligned up to a bucket. */
  end: number;
}

export interface MetricsWindow extends WindowRange {
  metrics: WindowMetrics;
  /** When the newest change to any of its buckets was made (a late label restates a past window). */
  updatedAt: number | null;
}

/** Windows always cover whole buckets. */
export function alignedRange(from: number, to: number): WindowRange {
  const start = alignDown(from);
  const end = alignUp(to);
  if (end <= start) throw invalid('to', `The window must end after it starts (from ${new Date(from).toISOString()}, to ${new Date(to).toISOString()}).`);
  return { start, end };
}

function merge(parts: readonly { sums: BucketSums; drift?: DriftSums; updatedAt: number | null }[]): MergedHour {
  const drift = emptyDriftSums();
  let updatedAt: number | null = null;
  for (const b of parts) {
    if (b.drift) mergeDriftInto(drift, b.drift);
    if (b.updatedAt !== null) updatedAt = Math.max(updatedAt ?? 0, b.updatedAt);
  }
  return { sums: mergeBuckets(parts.map((b) => b.sums)), drift, updatedAt };
}

const caches = new WeakMap<SqlExecutor, HourCache>();

/**
 * A window's merged sums. Whole hours come from the hour cache when none of their
 * buckets changed since (checked by revision, one light query); only changed hours
 * and the partial hours at the window's edges are read and merged again.
 */
async function mergedWindow(db: SqlExecutor, query: Omit<BucketQuery, 'from' | 'to'>, range: WindowRange, drift: boolean): Promise<MergedHour> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new HourCache()));
  const bounds = { ...query, from: range.start, to: range.end };
  const versions = await bucketVersionsInRange(db, bounds);
  const firstHour = Math.ceil(range.start / HOUR_MS) * HOUR_MS;
  const lastHour = Math.floor(range.end / HOUR_MS) * HOUR_MS;
  const hourOf = (t: number) => Math.floor(t / HOUR_MS) * HOUR_MS;
  const keyOf = (hour: number) => `${query.modelId}|${query.version}|${query.segment ?? '*'}|${drift}|${hour}`;
  const signature = (items: readonly { segment: string; bucketStart: number; revision: number }[]) => items.map((v) => `${v.segment}:${v.bucketStart}:${v.revision}`).join(',');
  const byHour = new Map<number, typeof versions>();
  for (const v of versions) {
    const hour = hourOf(v.bucketStart);
    const list = byHour.get(hour);
    if (list) list.push(v);
    else byHour.set(hour, [v]);
  }
  const parts: MergedHour[] = [];
  const wanted: number[] = [];
  for (const [hour, list] of byHour) {
    const whole = hour >= firstHour && hour + HOUR_MS <= lastHour;
    const cached = whole ? cache.get(keyOf(hour), signature(list)) : undefined;
    if (cached) parts.push(cached);
    else wanted.push(...list.map((v) => v.bucketStart));
  }
  if (wanted.length > 0) {
    const fetched = await bucketsInRange(db, bounds, { drift, performance: !drift, only: [...new Set(wanted)] });
    const fetchedByHour = new Map<number, StoredBucket[]>();
    for (const b of fetched) {
      const hour = hourOf(b.bucketStart);
      const list = fetchedByHour.get(hour);
      if (list) list.push(b);
      else fetchedByHour.set(hour, [b]);
    }
    for (const [hour, buckets] of fetchedByHour) {
      const merged = merge(buckets);
      // Signed with the revisions actually read, so a bucket changed between the two queries is never cached as older.
      if (hour >= firstHour && hour + HOUR_MS <= lastHour) cache.set(keyOf(hour), signature(buckets.map((b) => ({ segment: b.segment, bucketStart: b.bucketStart, revision: b.sums.revision }))), merged);
      parts.push(merged);
    }
  }
  return merge(parts);
}

export async function metricsWindow(db: SqlExecutor, query: Omit<BucketQuery, 'from' | 'to'>, range: WindowRange, options: MetricOptions = {}): Promise<MetricsWindow> {
  const merged = await mergedWindow(db, query, range, false);
  return { ...range, metrics: windowMetrics(merged.sums, options), updatedAt: merged.updatedAt };
}

export const MAX_SERIES_WINDOWS = 2_000;

/**
 * Windows of windowMs every stepMs, ending at or before `to`: the buckets of the whole
 * range are read once, and each window merges its own slice of them.
 */
export async function metricsSeries(db: SqlExecutor, query: Omit<BucketQuery, 'from' | 'to'>, from: number, to: number, windowMs: number, stepMs: number, options: MetricOptions = {}): Promise<MetricsWindow[]> {
  for (const [field, value] of [
    ['windowMs', windowMs],
    ['stepMs', stepMs],
  ] as const) {
    if (!Number.isSafeInteger(value) || value <= 0 || value % BUCKET_MS !== 0) throw invalid(field, `${field} must be a positive multiple of the ${BUCKET_MS / 60_000}-minute bucket, got ${value}.`);
  }
  const range = alignedRange(from, to);
  const count = Math.floor((range.end - range.start - windowMs) / stepMs) + 1;
  if (count > MAX_SERIES_WINDOWS) throw invalid('stepMs', `The series would hold ${count} windows; the limit is ${MAX_SERIES_WINDOWS}.`);
  if (count <= 0) return [];
  const buckets = await bucketsInRange(db, { ...query, from: range.start, to: range.end });
  const series: MetricsWindow[] = [];
  let first = 0;
  for (let i = 0; i < count; i++) {
    const start = range.start + i * stepMs;
    const end = start + windowMs;
    while (first < buckets.length && buckets[first].bucketStart < start) first++;
    let last = first;
    while (last < buckets.length && buckets[last].bucketStart < end) last++;
    const merged = merge(buckets.slice(first, last));
    series.push({ start, end, metrics: windowMetrics(merged.sums, options), updatedAt: merged.updatedAt });
  }
  return series;
}

export interface DriftWindow extends WindowRange {
  /** Predictions in the window, and how many were binned against the profile (those made after it was frozen). */
  predictions: number;
  profiledRows: number;
  features: FeatureDriftReport[];
}

/** Each profiled feature's drift over a window; null when the version has no reference profile. */
export async function driftWindow(db: SqlExecutor, query: Omit<BucketQuery, 'from' | 'to'>, range: WindowRange, minCount?: number, features?: readonly string[]): Promise<DriftWindow | null> {
  const profile = await findReferenceProfile(db, query.modelId, query.version);
  if (!profile) return null;
  const merged = await mergedWindow(db, query, range, true);
  const wanted = features && features.length > 0 ? new Set(features) : undefined;
  return {
    ...range,
    predictions: merged.sums.predictions,
    profiledRows: merged.drift.rows,
    features: profile.features.filter((f) => !wanted || wanted.has(f.name)).map((f) => featureDrift(f, merged.drift.features[f.name], minCount)),
  };
}
