/** MLflow's tracking-server limits (mlflow/utils/validation.py), enforced the same way here. */
export const trackingLimits = {
  keyLength: 250,
  paramValueLength: 6000,
  runTagValueLength: 8000,
  experimentNameLength: 500,
  experimentTagKeyLength: 250,
  experimentTagValueLength: 5000,
  batchMetrics: 1000,
  batchParams: 100,
  batchTags: 100,
  batchTotal: 1000,
  maxRunNameLength: 250,
} as const;
