import type { MetricPoint } from '../projections/metricPoints.ts';
import { builder } from './builder.ts';
import { LongScalar, MetricValueScalar } from './scalars.ts';

export const MetricType = builder.objectRef<Omit<MetricPoint, 'runId'>>('Metric').implement({
  description: 'One metric point.',
  fields: (t) => ({
    key: t.exposeString('key'),
    value: t.field({ type: MetricValueScalar, resolve: (m) => m.value }),
    timestamp: t.field({ type: LongScalar, resolve: (m) => m.timestamp }),
    step: t.field({ type: LongScalar, resolve: (m) => m.step }),
  }),
});

export const MetricInput = builder.inputType('MetricInput', {
  fields: (t) => ({
    key: t.string({ required: true }),
    value: t.field({ type: MetricValueScalar, required: true }),
    timestamp: t.field({ type: LongScalar, description: 'Epoch milliseconds; now when omitted.' }),
    step: t.field({ type: LongScalar, description: 'Defaults to 0.' }),
  }),
});

export const MetricSeriesInput = builder.inputType('MetricSeriesInput', {
  description:
    'Many points of one metric as parallel arrays, the compact form of a large batch: a list of numbers costs far less to check than a list of objects. `timestamps` and `steps`, when given, have one element per value.',
  fields: (t) => ({
    key: t.string({ required: true }),
    values: t.field({ type: [MetricValueScalar], required: true }),
    timestamps: t.field({ type: [LongScalar], description: 'Epoch milliseconds; now for every point when omitted.' }),
    steps: t.field({ type: [LongScalar], description: 'Defaults to 0 for every point.' }),
  }),
});
