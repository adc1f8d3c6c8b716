import type { FeatureProfile } from '../events/monitoringEvents.ts';
import type { ReferenceProfileRow } from '../projections/monitoringProfilesReadModel.ts';
import { builder } from './builder.ts';
import { LongScalar } from './scalars.ts';

const CategoryCountType = builder.objectRef<{ value: string; count: number }>('CategoryCount').implement({
  fields: (t) => ({ value: t.exposeString('value'), count: t.exposeFloat('count') }),
});

const QuantileType = builder.objectRef<{ q: number; value: number }>('Quantile').implement({
  fields: (t) => ({ q: t.exposeFloat('q'), value: t.exposeFloat('value') }),
});

const FeatureProfileType = builder.objectRef<FeatureProfile>('FeatureProfile').implement({
  description: 'A feature as the training data showed it. Numeric: bins (−∞, e₀), [e₀, e₁), …, [eₖ₋₁, +∞) over `edges`, PSI/JS on `psiEdges`. Categorical: the top K plus "other".',
  fields: (t) => ({
    name: t.exposeString('name'),
    kind: t.string({ resolve: (f) => f.kind }),
    edges: t.floatList({ resolve: (f) => (f.kind === 'numeric' ? f.edges : []) }),
    psiEdges: t.floatList({ resolve: (f) => (f.kind === 'numeric' ? f.psiEdges : []) }),
    counts: t.floatList({ resolve: (f) => (f.kind === 'numeric' ? f.counts : []) }),
    quantiles: t.field({ type: [QuantileType], resolve: (f) => (f.kind === 'numeric' ? (f.quantiles ?? []) : []) }),
    categories: t.field({ type: [CategoryCountType], resolve: (f) => (f.kind === 'categorical' ? f.categories : []) }),
    otherCount: t.float({ resolve: (f) => (f.kind === 'categorical' ? f.otherCount : 0) }),
    missing: t.exposeInt('missing'),
  }),
});

export const ReferenceProfileType = builder.objectRef<ReferenceProfileRow>('ReferenceProfile').implement({
  description: "A model version's reference profile, frozen once from its training data.",
  fields: (t) => ({
    version: t.exposeInt('version'),
    runId: t.string({ nullable: true, resolve: (p) => p.runId ?? null }),
    rows: t.exposeInt('rows'),
    frozenAt: t.field({ type: LongScalar, resolve: (p) => p.frozenAt }),
    features: t.field({ type: [FeatureProfileType], resolve: (p) => p.features }),
  }),
});
