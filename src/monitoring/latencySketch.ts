/**
 * A mergeable quantile sketch for latencies (the DDSketch idea: logarithmic buckets
 * with a fixed relative accuracy). Buckets are counts, so merging two sketches is
 * adding counts, and the answer does not depend on how the data was split.
 *
 * Guarantee: a quantile q is answered with a value within ±1% (relative) of the
 * sample's order statistic of rank floor(q·(n−1)) (numpy's `method="lower"`).
 * Values at or below 1e-9 ms are counted as 0.
 */
export const RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
const MIN_POSITIVE = 1e-9;

export interface LatencySketch {
  count: number;
  /** Values counted as zero. */
  zero: number;
  /** Bucket index → count; bucket i holds values in (γ^(i−1), γ^i]. */
  bins: Record<string, number>;
}

export const emptySketch = (): LatencySketch => ({ count: 0, zero: 0, bins: {} });

export function bucketIndex(value: number): number {
  return Math.ceil(Math.log(value) / LOG_GAMMA);
}

/** The value reported for bucket i: its relative-error midpoint. */
function bucketValue(index: number): number {
  return (2 * GAMMA ** index) / (GAMMA + 1);
}

export function addToSketch(sketch: LatencySketch, value: number, count = 1): void {
  sketch.count += count;
  if (value <= MIN_POSITIVE) {
    sketch.zero += count;
    return;
  }
  const key = String(bucketIndex(value));
  sketch.bins[key] = (sketch.bins[key] ?? 0) + count;
}

export function mergeSketchInto(target: LatencySketch, source: LatencySketch): void {
  target.count += source.count;
  target.zero += source.zero;
  for (const [key, count] of Object.entries(source.bins)) target.bins[key] = (target.bins[key] ?? 0) + count;
}

/** The q-quantile (0 ≤ q ≤ 1); undefined for an empty sketch. */
export function sketchQuantile(sketch: LatencySketch, q: number): number | undefined {
  if (sketch.count === 0) return undefined;
  const rank = Math.floor(q * (sketch.count - 1));
  if (rank < sketch.zero) return 0;
  let seen = sketch.zero;
  const indexes = Object.keys(sketch.bins)
    .map(Number)
    .sort((a, b) => a - b);
  for (const index of indexes) {
    seen += sketch.bins[String(index)];
    if (seen > rank) return bucketValue(index);
  }
  return bucketValue(indexes[indexes.length - 1]);
}
