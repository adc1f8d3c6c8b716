/** Synthetic serving traffic for the monitoring benchmark: a binary classifier with five numeric features and a country. */
import { emptyBucketSums, type BucketSums } from '../src/monitoring/bucketSums.ts';
import { applyClassLabel } from '../src/monitoring/classificationSums.ts';
import { countFeatureValue, emptyDriftSums, emptyFeatureCounts, type DriftSums } from '../src/monitoring/driftSums.ts';
import type { FeatureProfile } from '../src/events/monitoringEvents.ts';
import { addToSketch } from '../src/monitoring/latencySketch.ts';
import { categoricalProfileFromValues, numericProfileFromValues } from '../src/monitoring/profileFromSamples.ts';

/** A small deterministic PRNG (mulberry32), so every run draws the same traffic. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

const COUNTRIES = ['fr', 'de', 'es', 'it', 'nl', 'be', 'pl', 'se', 'at', 'pt', 'ie', 'dk'];
export const FEATURES = ['f1', 'f2', 'f3', 'f4', 'f5'];

export interface SyntheticPrediction {
  requestId: string;
  time: number;
  label: string;
  predictedClass: string;
  probabilities: Record<string, number>;
  latencyMs: number;
  features: Record<string, number | string>;
}

export function prediction(rand: () => number, requestId: string, time: number): SyntheticPrediction {
  const features: Record<string, number | string> = {};
  let logit = 0;
  for (const name of FEATURES) {
    const x = normal(rand);
    features[name] = x;
    logit += 0.6 * x;
  }
  features.country = COUNTRIES[Math.floor(rand() ** 2 * COUNTRIES.length)];
  const p = 1 / (1 + Math.exp(-logit));
  const label = rand() < p ? '1' : '0';
  const score = 1 / (1 + Math.exp(-(logit + 0.5 * normal(rand))));
  return { requestId, time, label, predictedClass: score >= 0.5 ? '1' : '0', probabilities: { '0': 1 - score, '1': score }, latencyMs: 5 + 40 * rand() ** 3, features };
}

/** A reference profile of the same traffic, from 10 000 draws. */
export function referenceProfile(seed: number): FeatureProfile[] {
  const rand = random(seed);
  const rows = Array.from({ length: 10_000 }, (_, i) => prediction(rand, `ref-${i}`, 0));
  return [...FEATURES.map((name) => numericProfileFromValues(name, rows.map((r) => r.features[name]))), categoricalProfileFromValues('country', rows.map((r) => r.features.country))];
}

/** One bucket's sums as the projection would build them from `count` labelled predictions. */
export function simulatedBucket(seed: number, count: number, profile: FeatureProfile[]): { sums: BucketSums; drift: DriftSums } {
  const rand = random(seed);
  const sums = emptyBucketSums();
  const drift = emptyDriftSums();
  for (const feature of profile) drift.features[feature.name] = emptyFeatureCounts(feature);
  for (let i = 0; i < count; i++) {
    const p = prediction(rand, '', 0);
    sums.predictions++;
    addToSketch(sums.latency, p.latencyMs);
    applyClassLabel(sums.classification, p, p.label, 1);
    sums.labelled++;
    drift.rows++;
    for (const feature of profile) countFeatureValue(drift.features[feature.name], feature, p.features[feature.name]);
  }
  sums.revision = 2;
  return { sums, drift };
}
