import type { AveragedScores } from '../monitoring/windowMetrics.ts';
import type { MetricsWindow } from '../monitoring/windowQueries.ts';
import type { DriftWindow } from '../monitoring/windowQueries.ts';
import type { FeatureDriftReport, DriftBin } from '../monitoring/featureDrift.ts';
import { builder } from './builder.ts';
import { LongScalar } from './scalars.ts';

export const AverageEnum = builder.enumType('Average', {
  description: "scikit-learn's `average` for precision, recall and F1.",
  values: ['BINARY', 'MICRO', 'MACRO', 'WEIGHTED'] as const,
});

const AveragedScoresType = builder.objectRef<AveragedScores>('AveragedScores').implement({
  description: 'Precision, recall and F1 under one averaging mode; null where scikit-learn raises (binary with more than two classes).',
  fields: (t) => ({
    average: t.field({ type: AverageEnum, resolve: (s) => s.average.toUpperCase() as 'BINARY' }),
    precision: t.float({ nullable: true, resolve: (s) => s.precision }),
    recall: t.float({ nullable: true, resolve: (s) => s.recall }),
    f1: t.float({ nullable: true, resolve: (s) => s.f1 }),
  }),
});

const ClassAucType = builder.objectRef<{ label: string; auc: { value: number; maxGridError: number } | null; positives: number }>('ClassRocAuc').implement({
  fields: (t) => ({
    label: t.exposeString('label'),
    rocAuc: t.float({ nullable: true, resolve: (c) => c.auc?.value ?? null }),
    positives: t.exposeInt('positives'),
  }),
});

export const MonitoringWindowType = builder.objectRef<MetricsWindow>('MonitoringWindow').implement({
  description:
    'Metrics of a model version over [start, end), merged from 5-minute buckets by prediction time. Late labels restate a window: `revision` rises and `updatedAt` moves. ' +
    'Metrics are null where undefined for the window (no labels, a single class for ROC AUC, fewer than two rows for R²).',
  fields: (t) => ({
    start: t.field({ type: LongScalar, resolve: (w) => w.start }),
    end: t.field({ type: LongScalar, resolve: (w) => w.end }),
    updatedAt: t.field({ type: LongScalar, nullable: true, resolve: (w) => w.updatedAt }),
    revision: t.int({ resolve: (w) => w.metrics.revision }),
    predictions: t.int({ resolve: (w) => w.metrics.predictions }),
    errors: t.int({ resolve: (w) => w.metrics.errors }),
    errorRate: t.float({ nullable: true, resolve: (w) => w.metrics.errorRate }),
    labelled: t.int({ resolve: (w) => w.metrics.labelled }),
    labelCoverage: t.float({ nullable: true, description: 'labelled / predictions.', resolve: (w) => w.metrics.labelCoverage }),
    invalidLabels: t.int({ resolve: (w) => w.metrics.invalidLabels }),
    latencyP50: t.float({ nullable: true, description: 'Milliseconds, within 1% of the exact order statistic.', resolve: (w) => w.metrics.latencyP50 }),
    latencyP95: t.float({ nullable: true, resolve: (w) => w.metrics.latencyP95 }),
    latencyP99: t.float({ nullable: true, resolve: (w) => w.metrics.latencyP99 }),
    classes: t.stringList({ resolve: (w) => w.metrics.classes }),
    posLabel: t.string({ resolve: (w) => w.metrics.posLabel }),
    accuracy: t.float({ nullable: true, resolve: (w) => w.metrics.accuracy }),
    scores: t.field({ type: [AveragedScoresType], resolve: (w) => w.metrics.scores }),
    rocAuc: t.float({ nullable: true, description: 'Binary: the positive class. Multiclass: one-vs-rest, macro.', resolve: (w) => w.metrics.rocAuc.macro?.value ?? null }),
    rocAucWeighted: t.float({ nullable: true, description: 'One-vs-rest weighted by prevalence (equal to rocAuc for binary models).', resolve: (w) => w.metrics.rocAuc.weighted?.value ?? null }),
    rocAucMaxGridError: t.float({
      nullable: true,
      description: 'How far rocAuc can be from the AUC of unrounded scores (scores are kept on a 1e-3 grid); 0 when no positive and negative share a grid cell.',
      resolve: (w) => w.metrics.rocAuc.macro?.maxGridError ?? null,
    }),
    rocAucPerClass: t.field({ type: [ClassAucType], resolve: (w) => w.metrics.rocAuc.perClass }),
    logLoss: t.float({ nullable: true, resolve: (w) => w.metrics.logLoss }),
    mse: t.float({ nullable: true, resolve: (w) => w.metrics.regression.mse }),
    rmse: t.float({ nullable: true, resolve: (w) => w.metrics.regression.rmse }),
    mae: t.float({ nullable: true, resolve: (w) => w.metrics.regression.mae }),
    r2: t.float({ nullable: true, resolve: (w) => w.metrics.regression.r2 }),
  }),
});

const DriftBinType = builder.objectRef<DriftBin>('DriftBin').implement({
  fields: (t) => ({ label: t.exposeString('label'), reference: t.exposeFloat('reference'), current: t.exposeFloat('current') }),
});

const DriftVerdictEnum = builder.enumType('DriftVerdict', {
  description: 'DRIFT when the Jensen–Shannon distance (base 2) is at least 0.1; INSUFFICIENT_DATA below the minimum count (default 100).',
  values: ['DRIFT', 'NO_DRIFT', 'INSUFFICIENT_DATA'] as const,
});

const FeatureDriftType = builder.objectRef<FeatureDriftReport>('FeatureDrift').implement({
  description:
    'One feature against the reference profile. PSI: ε = 1e-4 for empty bins. Jensen–Shannon: distance, base 2. KS: on the fine bins, p-value as scipy ks_2samp (exact up to 10 000 rows, else kstwo). ' +
    'Chi-square: homogeneity (chi2_contingency, Yates at dof 1). Wasserstein-1: each fine bin’s mass at its mean.',
  fields: (t) => ({
    feature: t.exposeString('feature'),
    kind: t.exposeString('kind'),
    referenceCount: t.exposeFloat('referenceCount'),
    currentCount: t.exposeFloat('currentCount'),
    referenceMissing: t.exposeFloat('referenceMissing'),
    currentMissing: t.exposeFloat('currentMissing'),
    bins: t.field({ type: [DriftBinType], resolve: (r) => r.bins }),
    psi: t.float({ nullable: true, resolve: (r) => r.psi }),
    jsDistance: t.float({ nullable: true, resolve: (r) => r.jsDistance }),
    ksStatistic: t.float({ nullable: true, resolve: (r) => r.ks?.statistic ?? null }),
    ksPValue: t.float({ nullable: true, resolve: (r) => r.ks?.pValue ?? null }),
    ksMethod: t.string({ nullable: true, resolve: (r) => r.ks?.method ?? null }),
    wasserstein: t.float({ nullable: true, resolve: (r) => r.wasserstein }),
    chiSquareStatistic: t.float({ nullable: true, resolve: (r) => r.chiSquare?.statistic ?? null }),
    chiSquarePValue: t.float({ nullable: true, resolve: (r) => r.chiSquare?.pValue ?? null }),
    chiSquareDof: t.int({ nullable: true, resolve: (r) => r.chiSquare?.dof ?? null }),
    verdict: t.field({ type: DriftVerdictEnum, resolve: (r) => r.verdict.toUpperCase() as 'DRIFT' }),
  }),
});

export const DriftWindowType = builder.objectRef<DriftWindow>('DriftWindow').implement({
  fields: (t) => ({
    start: t.field({ type: LongScalar, resolve: (w) => w.start }),
    end: t.field({ type: LongScalar, resolve: (w) => w.end }),
    predictions: t.exposeInt('predictions'),
    profiledRows: t.exposeInt('profiledRows', { description: 'Predictions binned against the profile (those logged after it was frozen).' }),
    features: t.field({ type: [FeatureDriftType], resolve: (w) => w.features }),
  }),
});
