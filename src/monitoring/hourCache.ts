import type { BucketSums } from './bucketSums.ts';
import type { DriftSums } from './driftSums.ts';

/** Whole hours of merged buckets, the unit the window cache keeps. */
export const HOUR_MS = 60 * 60 * 1000;

export interface MergedHour {
  sums: BucketSums;
  drift: DriftSums;
  updatedAt: number | null;
}

/**
 * Merged sums of whole hours, keyed by what they were merged from (model, version,
 * segment filter, hour, and every bucket's revision): a monitor re-evaluating a
 * 7-day window every minute then reads and merges only the hours that changed, and a
 * late label (which bumps its bucket's revision) can never be served stale.
 * Least recently used hours are dropped beyond `capacity`.
 */
export class HourCache {
  private readonly entries = new Map<string, { signature: string; hour: MergedHour }>();

  constructor(private readonly capacity = 2_000) {}

  get(key: string, signature: string): MergedHour | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.signature !== signature) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.hour;
  }

  set(key: string, signature: string, hour: MergedHour): void {
    this.entries.delete(key);
    this.entries.set(key, { signature, hour });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }
}
