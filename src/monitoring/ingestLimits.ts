/** Bounds on what one ingestion request may carry; each refusal names the bound. */
export const ingestLimits = {
  /** Lines (predictions or labels) per REST request. */
  maxLinesPerRequest: 100_000,
  /** Items per GraphQL mutation. */
  maxItemsPerMutation: 10_000,
  /** REST body size. */
  maxBodyBytes: 64 * 1024 * 1024,
  /** Predictions per stored event: a large request becomes a few events, never one per prediction. */
  maxPerEvent: 5_000,
  maxIdLength: 256,
  maxLabelLength: 256,
  maxClasses: 100,
  maxFeatures: 500,
  maxFeatureTextLength: 1_000,
  maxErrorLength: 1_000,
  /** Times later than now plus this are refused (clock skew allowance). */
  maxFutureMs: 24 * 60 * 60 * 1000,
};
