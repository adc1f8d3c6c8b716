import type { FeatureProfile } from '../events/monitoringEvents.ts';
import { featureProfilesOf, type FeatureProfileInput, type ProfileNaming } from '../monitoring/profileInput.ts';
import { builder } from './builder.ts';
import type { GraphQLContext } from './graphqlContext.ts';

const FeatureKindEnum = builder.enumType('FeatureKind', { values: ['NUMERIC', 'CATEGORICAL'] as const });

const CategoryCountInput = builder.inputType('CategoryCountInput', {
  fields: (t) => ({ value: t.string({ required: true }), count: t.float({ required: true }) }),
});

/** A reference profile as GraphQL takes it: `freezeReferenceProfile(features:)`, and `referenceProfile:` when registering or moving a version. */
export const ReferenceFeatureInput = builder.inputType('ReferenceFeatureInput', {
  description:
    'One feature of a reference profile: raw training values (`numbers` or `categories`; the server bins them and keeps only the profile) ' +
    'or bins already computed (numeric: `edges` and `counts`, optionally `sums` and `psiEdges`; categorical: `topCategories` and `otherCount`). ' +
    'Name a feature `__prediction` to profile the model output itself.',
  fields: (t) => ({
    name: t.string({ required: true }),
    kind: t.field({ type: FeatureKindEnum, required: true }),
    numbers: t.field({ type: ['Float'], required: { list: false, items: false }, description: 'Training values; null = missing.' }),
    categories: t.field({ type: ['String'], required: { list: false, items: false }, description: 'Training values; null = missing.' }),
    topK: t.int({ description: 'Categories kept by name (default 20, at most 100); the rest count as "other".' }),
    edges: t.floatList(),
    counts: t.floatList(),
    sums: t.floatList(),
    psiEdges: t.floatList(),
    missing: t.int(),
    topCategories: t.field({ type: [CategoryCountInput] }),
    otherCount: t.float(),
  }),
});

export type ReferenceFeatureArg = typeof ReferenceFeatureInput.$inferInput;

/** The service's input for each feature; validation happens in featureProfilesOf. */
export function featureInputsOf(features: readonly ReferenceFeatureArg[]): FeatureProfileInput[] {
  return features.map(featureInputOf);
}

function featureInputOf(f: ReferenceFeatureArg): FeatureProfileInput {
  return {
    name: f.name,
    kind: f.kind === 'NUMERIC' ? 'numeric' : 'categorical',
    values: f.numbers ?? f.categories ?? undefined,
    topK: f.topK ?? undefined,
    edges: f.edges ?? undefined,
    counts: f.counts ?? undefined,
    sums: f.sums ?? undefined,
    psiEdges: f.psiEdges ?? undefined,
    missing: f.missing ?? undefined,
    categories: f.topCategories ?? undefined,
    otherCount: f.otherCount ?? undefined,
  };
}

/** GraphQL's names for the service's input keys: raw values are `numbers` or `categories` (whichever was sent), precomputed categories `topCategories`. */
export const graphqlProfileNaming = (argument: string, features: readonly ReferenceFeatureArg[]): ProfileNaming => ({
  list: argument,
  key: (index, key) => {
    if (key === 'values') return features[index]?.numbers ? 'numbers' : 'categories';
    return key === 'categories' ? 'topCategories' : key;
  },
});

/**
 * Validates and bins a profile given as the argument `argument`, before anything is
 * written; an error names the field as the caller sent it (`referenceProfile[0].numbers`).
 */
export function referenceProfileOf(argument: string, features: readonly ReferenceFeatureArg[]): FeatureProfile[] {
  return featureProfilesOf(featureInputsOf(features), graphqlProfileNaming(argument, features));
}

export const REFERENCE_PROFILE_ARG_DESCRIPTION =
  "Freezes the version's reference profile (as freezeReferenceProfile's `features`) in the same request, after the registry change: " +
  'checked first, so a bad profile refuses the whole request. A version that already has a profile keeps it; the one given here is then ignored.';

/**
 * Freezes a profile validated before a registry mutation, once that mutation has
 * succeeded; a version that has a profile already keeps it (answers false).
 */
export async function freezeGivenProfile(ctx: GraphQLContext, model: string, version: number, profile: FeatureProfile[] | undefined): Promise<boolean> {
  if (!profile) return false;
  return ctx.monitoring.freezeProfileIfAbsent({ model, version, features: profile }, ctx.monitoring.context(ctx.actor));
}
