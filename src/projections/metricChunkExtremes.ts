import { toStoredMetricValue, type StoredMetricValue } from '../events/metricValue.ts';

/**
 * What M4 downsampling needs of one metric chunk, computed as it is stored, so that a
 * chunk falling wholly inside one bucket is read as these 18 numbers instead of its
 * points (metricDownsampling.ts). Six points as float8 triples, each ordered as the
 * downsampling query compares them:
 *   [1:3]  first along step       (step, timestamp, value)
 *   [4:6]  last along step        (step, timestamp, value)
 *   [7:9]  first along timestamp  (timestamp, step, value)
 *   [10:12] last along timestamp  (timestamp, step, value)
 *   [13:15] lowest value          (value, step, timestamp)
 *   [16:18] highest value         (value, step, timestamp)
 * "First" and "lowest" are the smallest triple in Postgres's array order (element by
 * element, NaN above every number), exactly what min(array[...]) picks over the points.
 * Lowest and highest skip NaN; a chunk of NaN only has no summary (null).
 */
export type ChunkExtremes = StoredMetricValue[];

/** Postgres's float8 order: NaN equal to itself and above every number; -0 equals 0. */
function compareFloat8(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Indices of the six points, compared in place: this runs for every point logged (the
 * ingestion hot path), so it allocates nothing per point.
 */
export function chunkExtremes(steps: readonly number[], timestamps: readonly number[], values: readonly number[]): ChunkExtremes | null {
  if (steps.length === 0) return null;
  const byStep = (a: number, b: number) => compareFloat8(steps[a], steps[b]) || compareFloat8(timestamps[a], timestamps[b]) || compareFloat8(values[a], values[b]);
  const byTime = (a: number, b: number) => compareFloat8(timestamps[a], timestamps[b]) || compareFloat8(steps[a], steps[b]) || compareFloat8(values[a], values[b]);
  const byValue = (a: number, b: number) => compareFloat8(values[a], values[b]) || compareFloat8(steps[a], steps[b]) || compareFloat8(timestamps[a], timestamps[b]);
  let [firstStep, lastStep, firstTime, lastTime] = [0, 0, 0, 0];
  let lowest = -1;
  let highest = -1;
  for (let i = 0; i < steps.length; i++) {
    if (byStep(i, firstStep) < 0) firstStep = i;
    if (byStep(i, lastStep) > 0) lastStep = i;
    if (byTime(i, firstTime) < 0) firstTime = i;
    if (byTime(i, lastTime) > 0) lastTime = i;
    if (Number.isNaN(values[i])) continue;
    if (lowest < 0 || byValue(i, lowest) < 0) lowest = i;
    if (highest < 0 || byValue(i, highest) > 0) highest = i;
  }
  if (lowest < 0) return null;
  const alongStep = (i: number) => [steps[i], timestamps[i], values[i]];
  const alongTime = (i: number) => [timestamps[i], steps[i], values[i]];
  const alongValue = (i: number) => [values[i], steps[i], timestamps[i]];
  return [...alongStep(firstStep), ...alongStep(lastStep), ...alongTime(firstTime), ...alongTime(lastTime), ...alongValue(lowest), ...alongValue(highest)].map(
    toStoredMetricValue,
  );
}
