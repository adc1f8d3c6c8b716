import type { Located } from '../monitoring/ingestion.ts';
import { parseLabel, parsePrediction, type ParsedLabel, type ParsedPrediction } from '../monitoring/ingestInput.ts';
import { ingestLimits } from '../monitoring/ingestLimits.ts';
import { findReferenceProfile } from '../projections/monitoringProfilesReadModel.ts';
import { invalid, notFound } from '../tracking/domainError.ts';
import { lookUpModel } from '../monitoring/modelLookup.ts';
import { builder } from './builder.ts';
import { ReferenceProfileType } from './monitoringProfile.ts';
import { featureInputsOf, graphqlProfileNaming, ReferenceFeatureInput } from './referenceProfileInput.ts';
import { LongScalar } from './scalars.ts';

const ClassProbabilityInput = builder.inputType('ClassProbabilityInput', {
  fields: (t) => ({ label: t.string({ required: true }), probability: t.float({ required: true }) }),
});

const FeatureValueInput = builder.inputType('FeatureValueInput', {
  description: 'A feature value: `number` for numeric features, `category` for categorical ones, neither for a missing value.',
  fields: (t) => ({ name: t.string({ required: true }), number: t.float(), category: t.string() }),
});

const PredictionInput = builder.inputType('PredictionInput', {
  description: 'One prediction of a registered model version. Give predictedClass (classification, optionally with probabilities) or predictedValue (regression).',
  fields: (t) => ({
    requestId: t.string({ required: true, description: 'The join key for the ground truth; a request id seen before is ignored.' }),
    version: t.int({ required: true }),
    time: t.field({ type: LongScalar, description: 'Prediction time, epoch milliseconds; now when omitted. Windows are by this time.' }),
    segment: t.string({ description: 'An optional slice (a region, a feature value) to see metrics per segment.' }),
    predictedClass: t.string(),
    probabilities: t.field({ type: [ClassProbabilityInput] }),
    predictedValue: t.float(),
    latencyMs: t.float(),
    error: t.string({ description: 'The serving error, when the prediction failed.' }),
    features: t.field({ type: [FeatureValueInput] }),
  }),
});

const GroundTruthInput = builder.inputType('GroundTruthInput', {
  description: 'The actual outcome for a request id: a class, or a number written as text for regression.',
  fields: (t) => ({
    requestId: t.string({ required: true }),
    label: t.string({ required: true }),
    time: t.field({ type: LongScalar, description: 'When the outcome was known; the latest label time wins for a request id.' }),
  }),
});

interface IngestAnswer {
  accepted: number;
  duplicates: number;
  pending: number;
  events: number;
}

const IngestResultType = builder.objectRef<IngestAnswer>('IngestResult').implement({
  fields: (t) => ({
    accepted: t.exposeInt('accepted'),
    duplicates: t.exposeInt('duplicates', { description: 'Predictions whose request id was seen before: ignored.' }),
    pending: t.exposeInt('pending', { description: 'Labels still waiting for their prediction.' }),
    events: t.exposeInt('events', { description: 'Events appended (one per batch of up to 5 000).' }),
  }),
});

function checkSize(field: string, length: number): void {
  if (length > ingestLimits.maxItemsPerMutation) throw invalid(field, `${field} holds ${length} items; the limit is ${ingestLimits.maxItemsPerMutation} per call (use the REST endpoint for more).`);
}

builder.mutationFields((t) => ({
  logPredictions: t.field({
    type: IngestResultType,
    errors: {},
    description: 'Logs a batch of predictions as one event (up to 10 000 per call). A refused batch appends nothing; the error names the item and field.',
    args: { model: t.arg.string({ required: true }), predictions: t.arg({ type: [PredictionInput], required: true }) },
    resolve: async (_root, { model, predictions }, ctx) => {
      checkSize('predictions', predictions.length);
      const now = ctx.monitoring.clock.now();
      const located: Located<ParsedPrediction>[] = predictions.map((p, i) => {
        const at = (field: string) => `predictions[${i}].${field}`;
        const raw = {
          model,
          version: p.version,
          requestId: p.requestId,
          time: p.time ?? undefined,
          segment: p.segment ?? undefined,
          predictedClass: p.predictedClass ?? undefined,
          predictedValue: p.predictedValue ?? undefined,
          probabilities: p.probabilities ? Object.fromEntries(p.probabilities.map((c) => [c.label, c.probability])) : undefined,
          latencyMs: p.latencyMs ?? undefined,
          error: p.error ?? undefined,
          features: p.features ? Object.fromEntries(p.features.map((f) => [f.name, f.number ?? f.category ?? null])) : undefined,
        };
        return { item: parsePrediction(raw, at, now), at };
      });
      return ctx.monitoring.logPredictions(located, ctx.monitoring.context(ctx.actor));
    },
  }),
  logGroundTruth: t.field({
    type: IngestResultType,
    errors: {},
    description: 'Logs actual outcomes by request id as one event. Labels before their predictions wait; for a second label of a request id the latest label time wins (restating its window).',
    args: { model: t.arg.string({ required: true }), labels: t.arg({ type: [GroundTruthInput], required: true }) },
    resolve: async (_root, { model, labels }, ctx) => {
      checkSize('labels', labels.length);
      const now = ctx.monitoring.clock.now();
      const located: Located<ParsedLabel>[] = labels.map((l, i) => {
        const at = (field: string) => `labels[${i}].${field}`;
        return { item: parseLabel({ model, requestId: l.requestId, label: l.label, time: l.time ?? undefined }, at, now), at };
      });
      return ctx.monitoring.logGroundTruth(located, ctx.monitoring.context(ctx.actor));
    },
  }),
  freezeReferenceProfile: t.field({
    type: ReferenceProfileType,
    errors: {},
    description: 'Freezes what the training data looked like for a version (once per version): the baseline of every drift statistic.',
    args: {
      model: t.arg.string({ required: true }),
      version: t.arg.int({ required: true }),
      runId: t.arg.string({ description: "The run whose data it is; default the version's source run." }),
      features: t.arg({ type: [ReferenceFeatureInput], required: true }),
    },
    resolve: async (_root, args, ctx) => {
      await ctx.monitoring.freezeReferenceProfile(
        { model: args.model, version: args.version, runId: args.runId ?? undefined, features: featureInputsOf(args.features) },
        ctx.monitoring.context(ctx.actor),
        graphqlProfileNaming('features', args.features),
      );
      const model = await lookUpModel(ctx.readDb, args.model, 'model');
      const profile = await findReferenceProfile(ctx.readDb, model.modelId, args.version);
      if (!profile) throw notFound('version', 'The profile is not readable yet.');
      return profile;
    },
  }),
}));
