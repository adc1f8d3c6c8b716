import type { FeatureProfile, PredictionRecord } from '../events/monitoringEvents.ts';
import { bucketStart } from './bucketTime.ts';
import { emptyBucketSums, mergeBucketInto, type BucketSums } from './bucketSums.ts';
import { countFeatureValue, emptyDriftSums, emptyFeatureCounts, mergeDriftInto, PREDICTION_FEATURE, type DriftSums } from './driftSums.ts';
import { categoryBins } from './featureBinning.ts';
import { addToSketch } from './latencySketch.ts';
import { applyLabel, type StoredPrediction } from './predictionOutcome.ts';

export interface BucketKey {
  modelId: string;
  version: number;
  segment: string;
  bucketStart: number;
}

interface LabelOp {
  prediction: StoredPrediction;
  label: string;
  sign: 1 | -1;
}

/** One event's changes to one bucket: prediction-side sums to add, then label changes to apply in order. */
export interface BucketStep {
  event: number;
  /** When the event was recorded (epoch ms). */
  at: number;
  added: BucketSums;
  drift: DriftSums;
  labelOps: LabelOp[];
}

/**
 * The changes a batch of events makes to one bucket, event by event. They are applied
 * to the stored bucket one event at a time, so float sums come out the same however
 * the log was cut into batches (a rebuild equals the live read model).
 */
export interface BucketChange {
  key: BucketKey;
  steps: BucketStep[];
  /** False when only labels changed: the bucket's latency and drift columns need not be rewritten. */
  predictionSide: boolean;
}

/** A reference profile prepared for binning many predictions. */
export interface BinningProfile {
  features: FeatureProfile[];
  categoryIndex: Map<string, Map<string, number>>;
}

export function binningProfile(features: FeatureProfile[]): BinningProfile {
  return { features, categoryIndex: new Map(features.flatMap((f) => (f.kind === 'categorical' ? [[f.name, categoryBins(f)] as const] : []))) };
}

/** Collects a projection batch's bucket changes, so each touched bucket is read and written once. */
export class BucketChanges {
  private readonly changes = new Map<string, BucketChange>();
  private event = 0;
  private eventAt = 0;

  /** Changes from here on belong to the next event, recorded at `at`. */
  nextEvent(at: number): void {
    this.event++;
    this.eventAt = at;
  }

  get size(): number {
    return this.changes.size;
  }

  all(): BucketChange[] {
    return [...this.changes.values()];
  }

  forKey(key: BucketKey): { change: BucketChange; step: BucketStep } {
    const id = `${key.modelId}\u0000${key.version}\u0000${key.segment}\u0000${key.bucketStart}`;
    let change = this.changes.get(id);
    if (!change) {
      change = { key, steps: [], predictionSide: false };
      this.changes.set(id, change);
    }
    let step = change.steps[change.steps.length - 1];
    if (!step || step.event !== this.event) {
      step = { event: this.event, at: this.eventAt, added: emptyBucketSums(), drift: emptyDriftSums(), labelOps: [] };
      change.steps.push(step);
    }
    return { change, step };
  }

  addPrediction(modelId: string, p: PredictionRecord, profile: BinningProfile | undefined): BucketKey {
    const { change, step } = this.forKey({ modelId, version: p.version, segment: p.segment ?? '', bucketStart: bucketStart(p.time) });
    change.predictionSide = true;
    step.added.predictions += 1;
    if (p.error !== undefined) step.added.errors += 1;
    if (p.latencyMs !== undefined) addToSketch(step.added.latency, p.latencyMs);
    if (profile) {
      step.drift.rows += 1;
      for (const feature of profile.features) {
        const counts = (step.drift.features[feature.name] ??= emptyFeatureCounts(feature));
        const value = feature.name === PREDICTION_FEATURE ? (p.predictedClass ?? p.predictedValue) : p.features?.[feature.name];
        countFeatureValue(counts, feature, value, profile.categoryIndex.get(feature.name));
      }
    }
    return change.key;
  }

  addLabel(key: BucketKey, prediction: StoredPrediction, label: string, sign: 1 | -1): void {
    this.forKey(key).step.labelOps.push({ prediction, label, sign });
  }
}

/** A stored bucket with a batch's change applied; its revision counts the events that changed it. */
export function appliedChange(stored: { sums: BucketSums; drift: DriftSums } | undefined, change: BucketChange): { sums: BucketSums; drift: DriftSums; updatedAt: number } {
  const sums = stored?.sums ?? emptyBucketSums();
  const drift = stored?.drift ?? emptyDriftSums();
  for (const step of change.steps) {
    mergeBucketInto(sums, step.added);
    mergeDriftInto(drift, step.drift);
    for (const op of step.labelOps) applyLabel(sums, op.prediction, op.label, op.sign);
  }
  sums.revision += change.steps.length;
  return { sums, drift, updatedAt: change.steps[change.steps.length - 1].at };
}
