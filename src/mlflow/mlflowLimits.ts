/** Page sizes and request limits of the MLflow REST API, MLflow's values unless noted. */
export const mlflowLimits = {
  /** Any JSON body; larger uploads (artifacts) do not go through this API. Ours. */
  maxBodyBytes: 16 * 1024 * 1024,
  /** MAX_BATCH_LOG_REQUEST_SIZE: log-batch bodies. */
  maxLogBatchBytes: 1_000_000,
  /** SEARCH_MAX_RESULTS_DEFAULT and SEARCH_MAX_RESULTS_THRESHOLD (runs and experiments). */
  searchDefault: 1000,
  searchMax: 50_000,
  /** GET_METRIC_HISTORY_MAX_RESULTS: the page size the Python client always asks for. */
  metricHistoryPage: 25_000,
  /**
   * get-history without max_results: MLflow (since paging) answers no points, which breaks
   * clients that do not send it. Ours: up to this many points, then a next_page_token.
   */
  metricHistoryUnpaged: 1_000_000,
  /** Run ids per get-history-bulk(-interval) request. */
  bulkRunIds: 100,
  /** Points per get-history-bulk request (MLflow's cap). */
  bulkPoints: 25_000,
  /** Steps per run in get-history-bulk-interval when max_results is absent, and the largest allowed. Ours. */
  intervalStepsDefault: 2500,
  intervalStepsMax: 25_000,
} as const;
