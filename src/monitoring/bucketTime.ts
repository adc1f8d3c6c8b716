/**
 * Tumbling buckets by prediction time. Every window is a merge of whole buckets,
 * so 5 minutes is the finest window and the alignment of every window's edges.
 * Changing it needs a rebuild of the monitoring read models.
 */
export const BUCKET_MS = 5 * 60 * 1000;

/** Start of the bucket holding a prediction made at epochMs. */
export function bucketStart(epochMs: number): number {
  return Math.floor(epochMs / BUCKET_MS) * BUCKET_MS;
}

/** The bucket-aligned start at or before epochMs. */
export const alignDown = bucketStart;

/** The bucket-aligned end at or after epochMs. */
export function alignUp(epochMs: number): number {
  return Math.ceil(epochMs / BUCKET_MS) * BUCKET_MS;
}
