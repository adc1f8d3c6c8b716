import { z } from 'zod';
import { defineEvent } from './defineEvent.ts';

/**
 * Production monitoring's events. Predictions and ground truth arrive in batches,
 * one event per batch, in one stream per registered model (keyed by the model's
 * stable id, so a rename changes nothing). A version's reference profile is a
 * stream of its own with a single event (frozen once). Each monitor's definition
 * and alert transitions share the monitor's stream; webhooks and their delivery
 * attempts share the webhook's stream.
 */
export const monitoringDataStream = (modelId: string) => `monitoring-data-${modelId}`;
export const referenceProfileStream = (modelId: string, version: number) => `monitoring-profile-${modelId}-${version}`;
export const monitorStream = (monitorId: string) => `monitor-${monitorId}`;
export const webhookStream = (webhookId: string) => `monitoring-webhook-${webhookId}`;

const modelId = z.string().regex(/^[0-9a-f]{32}$/);
const version = z.number().int().positive();
const epochMs = z.number().int().nonnegative();
const finite = z.number().finite();

export const predictionRecord = z.object({
  requestId: z.string().min(1),
  version,
  time: epochMs,
  segment: z.string().optional(),
  predictedClass: z.string().optional(),
  probabilities: z.record(z.string(), finite).optional(),
  predictedValue: finite.optional(),
  latencyMs: finite.optional(),
  error: z.string().optional(),
  features: z.record(z.string(), z.union([finite, z.string(), z.null()])).optional(),
});
export type PredictionRecord = z.infer<typeof predictionRecord>;

export const groundTruthRecord = z.object({ requestId: z.string().min(1), label: z.string(), time: epochMs });
export type GroundTruthRecord = z.infer<typeof groundTruthRecord>;

export const PredictionsLogged = defineEvent('PredictionsLogged', 1, z.object({ modelId, predictions: z.array(predictionRecord) }));
export const GroundTruthLogged = defineEvent('GroundTruthLogged', 1, z.object({ modelId, labels: z.array(groundTruthRecord) }));

// Reference profiles: what the training data looked like, binned once.
export const numericFeatureProfile = z.object({
  name: z.string(),
  kind: z.literal('numeric'),
  /** Fine bin edges e₀ < … < eₖ₋₁: bins (−∞, e₀), [e₀, e₁), …, [eₖ₋₁, +∞). KS and Wasserstein use these. */
  edges: z.array(finite),
  counts: z.array(z.number().nonnegative()),
  /** Σx per fine bin, to place each bin's mass at its mean (Wasserstein); absent: inner bins at their midpoint, outer bins at their edge. */
  sums: z.array(finite).optional(),
  /** The coarse edges PSI and Jensen–Shannon use (a subset of edges; deciles by default). */
  psiEdges: z.array(finite),
  missing: z.number().int().nonnegative(),
  quantiles: z.array(z.object({ q: finite, value: finite })).optional(),
});
export const categoricalFeatureProfile = z.object({
  name: z.string(),
  kind: z.literal('categorical'),
  /** The top K categories by count; everything else counts as "other". */
  categories: z.array(z.object({ value: z.string(), count: z.number().nonnegative() })),
  otherCount: z.number().nonnegative(),
  missing: z.number().int().nonnegative(),
});
export const featureProfile = z.discriminatedUnion('kind', [numericFeatureProfile, categoricalFeatureProfile]);
export type NumericFeatureProfile = z.infer<typeof numericFeatureProfile>;
export type CategoricalFeatureProfile = z.infer<typeof categoricalFeatureProfile>;
export type FeatureProfile = z.infer<typeof featureProfile>;

export const ReferenceProfileFrozen = defineEvent(
  'ReferenceProfileFrozen',
  1,
  z.object({ modelId, version, runId: z.string().optional(), rows: z.number().int().nonnegative(), features: z.array(featureProfile), frozenAt: epochMs }),
);

// Monitors.
export const performanceMetricName = z.enum([
  'accuracy',
  'precision',
  'recall',
  'f1',
  'roc_auc',
  'log_loss',
  'mse',
  'rmse',
  'mae',
  'r2',
  'latency_p50',
  'latency_p95',
  'latency_p99',
  'error_rate',
  'prediction_count',
  'label_coverage',
]);
export const driftStatisticName = z.enum(['psi', 'js_distance', 'ks_statistic', 'ks_p_value', 'chi2_p_value', 'wasserstein']);
export const averageName = z.enum(['binary', 'micro', 'macro', 'weighted']);

export const monitoredMetric = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('performance'),
    name: performanceMetricName,
    average: averageName.optional(),
    posLabel: z.string().optional(),
    zeroDivision: z.union([z.literal(0), z.literal(1)]).optional(),
  }),
  z.object({ kind: z.literal('drift'), feature: z.string(), statistic: driftStatisticName }),
]);
export type MonitoredMetric = z.infer<typeof monitoredMetric>;

/** MLflow's MetricThreshold fields, held against the live value (see src/monitoring/metricThresholdRule.ts). */
export const thresholdRule = z.object({
  threshold: finite.optional(),
  minAbsoluteChange: finite.optional(),
  minRelativeChange: finite.optional(),
  greaterIsBetter: z.boolean(),
  /** The source run's metric to compare with; default the monitored metric's name. */
  baselineMetric: z.string().optional(),
  /** Hysteresis: a firing alert resolves only once the value is this much better than every bound. */
  recoveryMargin: z.number().nonnegative(),
});
export type ThresholdRule = z.infer<typeof thresholdRule>;

export const monitorDefinition = z.object({
  monitorId: z.string(),
  name: z.string(),
  modelId,
  /** A fixed version, or an alias (champion) resolved at every evaluation. */
  version: version.optional(),
  alias: z.string().optional(),
  segment: z.string().optional(),
  metric: monitoredMetric,
  windowMs: z.number().int().positive(),
  rule: thresholdRule,
  /** No verdict on a performance metric until this share of the window's predictions has a label. */
  minLabelCoverage: z.number().min(0).max(1),
  /** The window ends this long before now, so labels had time to arrive. */
  labelDelayMs: z.number().int().nonnegative(),
  /** No verdict below this many predictions (labelled ones for performance metrics, binned rows for drift). */
  minCount: z.number().int().nonnegative(),
  /** Pending period: the condition must hold this long before the alert fires. */
  forMs: z.number().int().nonnegative(),
  createdAt: epochMs,
});
export type MonitorDefinition = z.infer<typeof monitorDefinition>;

export const MonitorCreated = defineEvent('MonitorCreated', 1, monitorDefinition);
export const MonitorDeleted = defineEvent('MonitorDeleted', 1, z.object({ monitorId: z.string() }));

export const alertState = z.enum(['ok', 'pending', 'firing', 'resolved']);
export type AlertState = z.infer<typeof alertState>;

export const MonitorAlertStateChanged = defineEvent(
  'MonitorAlertStateChanged',
  1,
  z.object({
    monitorId: z.string(),
    monitorName: z.string(),
    modelId,
    /** The model's name when the transition happened. */
    modelName: z.string(),
    from: alertState,
    to: alertState,
    at: epochMs,
    /** The version judged (an alias resolved at that moment). */
    version,
    value: z.number().nullable(),
    baseline: z.number().nullable(),
    windowStart: epochMs,
    windowEnd: epochMs,
    count: z.number().int().nonnegative(),
    labelCoverage: z.number().nullable(),
    reason: z.string(),
  }),
);

// Webhooks.
export const MonitoringWebhookRegistered = defineEvent(
  'MonitoringWebhookRegistered',
  1,
  z.object({
    webhookId: z.string(),
    url: z.string().url(),
    /** The shared HMAC-SHA256 key. Kept in the log so deliveries survive restarts: treat the database as sensitive. */
    secret: z.string().min(16),
    /** Only these monitors' alerts; empty: every monitor's. */
    monitorIds: z.array(z.string()),
    /** Which transitions are delivered. */
    states: z.array(alertState),
    createdAt: epochMs,
  }),
);
export const MonitoringWebhookRemoved = defineEvent('MonitoringWebhookRemoved', 1, z.object({ webhookId: z.string() }));
export const WebhookDeliveryAttempted = defineEvent(
  'WebhookDeliveryAttempted',
  1,
  z.object({
    webhookId: z.string(),
    /** The idempotency key receivers see: one per (alert transition, webhook). */
    deliveryId: z.string(),
    attempt: z.number().int().positive(),
    at: epochMs,
    outcome: z.enum(['delivered', 'failed', 'abandoned']),
    httpStatus: z.number().int().optional(),
    error: z.string().optional(),
    nextAttemptAt: epochMs.optional(),
  }),
);

export const monitoringEvents = [
  PredictionsLogged,
  GroundTruthLogged,
  ReferenceProfileFrozen,
  MonitorCreated,
  MonitorDeleted,
  MonitorAlertStateChanged,
  MonitoringWebhookRegistered,
  MonitoringWebhookRemoved,
  WebhookDeliveryAttempted,
] as const;
