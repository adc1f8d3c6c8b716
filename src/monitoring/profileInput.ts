import type { FeatureProfile } from '../events/monitoringEvents.ts';
import { invalid } from '../tracking/domainError.ts';
import { categoricalProfileFromValues, DEFAULT_TOP_K, numericProfileFromValues } from './profileFromSamples.ts';

/**
 * A feature of a reference profile as a caller gives it: raw training values (the
 * server bins them, and keeps only the profile), or bins already computed.
 */
export interface FeatureProfileInput {
  name: string;
  kind: 'numeric' | 'categorical';
  values?: readonly unknown[];
  topK?: number;
  edges?: readonly number[];
  counts?: readonly number[];
  sums?: readonly number[];
  psiEdges?: readonly number[];
  missing?: number;
  categories?: readonly { value: string; count: number }[];
  otherCount?: number;
}

export const profileLimits = { maxFeatures: 500, maxEdges: 1_000, maxCategories: 100, maxValues: 1_000_000 };

/**
 * How a caller's API spells a profile, so that an error names the field the caller
 * sent: the list's name, and the name of an input key of the feature at `index`.
 */
export interface ProfileNaming {
  list: string;
  key(index: number, key: keyof FeatureProfileInput): string;
}

/** The JSON body's own names (REST): `features[0].values`. */
export const jsonProfileNaming: ProfileNaming = { list: 'features', key: (_index, key) => key };

export function featureProfileOf(input: FeatureProfileInput, index: number, naming: ProfileNaming = jsonProfileNaming): FeatureProfile {
  // `path` starts with an input key ('values[3]', 'categories[0].value'); only that key is renamed.
  const field = (path: string) => {
    const key = /^[A-Za-z]+/.exec(path)?.[0] ?? path;
    return `${naming.list}[${index}].${naming.key(index, key as keyof FeatureProfileInput)}${path.slice(key.length)}`;
  };
  if (typeof input.name !== 'string' || input.name.length === 0 || input.name.length > 256) throw invalid(field('name'), `${field('name')} must be 1 to 256 characters.`);
  if (input.values !== undefined) {
    if (!Array.isArray(input.values)) throw invalid(field('values'), `${field('values')} must be a list.`);
    if (input.values.length > profileLimits.maxValues) throw invalid(field('values'), `${field('values')} holds ${input.values.length} values; the limit is ${profileLimits.maxValues}.`);
    if (input.kind === 'numeric') {
      input.values.forEach((v, i) => {
        if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) throw invalid(field(`values[${i}]`), `${field(`values[${i}]`)} must be a finite number or null, got ${JSON.stringify(v)}.`);
      });
      return numericProfileFromValues(input.name, input.values);
    }
    const topK = input.topK ?? DEFAULT_TOP_K;
    if (!Number.isInteger(topK) || topK < 1 || topK > profileLimits.maxCategories) throw invalid(field('topK'), `${field('topK')} must be between 1 and ${profileLimits.maxCategories}, got ${topK}.`);
    return categoricalProfileFromValues(input.name, input.values, topK);
  }
  return input.kind === 'numeric' ? precomputedNumeric(input, field) : precomputedCategorical(input, field);
}

function counts(values: readonly number[] | undefined, field: string, length: number): number[] {
  if (!Array.isArray(values)) throw invalid(field, `${field} is required (or give values).`);
  if (values.length !== length) throw invalid(field, `${field} must hold ${length} counts (one per bin: edges + 1), got ${values.length}.`);
  values.forEach((c, i) => {
    if (typeof c !== 'number' || !Number.isFinite(c) || c < 0) throw invalid(field, `${field}[${i}] must be a non-negative number, got ${JSON.stringify(c)}.`);
  });
  return [...values];
}

function increasing(values: readonly number[] | undefined, field: string): number[] {
  if (!Array.isArray(values)) throw invalid(field, `${field} is required (or give values).`);
  if (values.length > profileLimits.maxEdges) throw invalid(field, `${field} holds ${values.length} edges; the limit is ${profileLimits.maxEdges}.`);
  values.forEach((e, i) => {
    if (typeof e !== 'number' || !Number.isFinite(e)) throw invalid(field, `${field}[${i}] must be a finite number.`);
    if (i > 0 && e <= values[i - 1]) throw invalid(field, `${field} must increase strictly; ${field}[${i}] = ${e} follows ${values[i - 1]}.`);
  });
  return [...values];
}

function missingCount(value: number | undefined, field: string): number {
  const missing = value ?? 0;
  if (!Number.isInteger(missing) || missing < 0) throw invalid(field, `${field} must be a non-negative integer.`);
  return missing;
}

function precomputedNumeric(input: FeatureProfileInput, field: (name: string) => string): FeatureProfile {
  const edges = increasing(input.edges, field('edges'));
  const psiEdges = input.psiEdges === undefined ? edges : increasing(input.psiEdges, field('psiEdges'));
  const known = new Set(edges);
  const stray = psiEdges.find((e) => !known.has(e));
  if (stray !== undefined) throw invalid(field('psiEdges'), `${field('psiEdges')} must be a subset of edges; ${stray} is not an edge.`);
  const profile: FeatureProfile = {
    name: input.name,
    kind: 'numeric',
    edges,
    counts: counts(input.counts, field('counts'), edges.length + 1),
    psiEdges,
    missing: missingCount(input.missing, field('missing')),
  };
  if (input.sums !== undefined) {
    if (!Array.isArray(input.sums) || input.sums.length !== edges.length + 1 || input.sums.some((s) => typeof s !== 'number' || !Number.isFinite(s))) {
      throw invalid(field('sums'), `${field('sums')} must hold ${edges.length + 1} finite numbers (Σx per bin).`);
    }
    profile.sums = [...input.sums];
  }
  return profile;
}

function precomputedCategorical(input: FeatureProfileInput, field: (name: string) => string): FeatureProfile {
  if (!Array.isArray(input.categories)) throw invalid(field('categories'), `${field('categories')} is required (or give values).`);
  if (input.categories.length > profileLimits.maxCategories) throw invalid(field('categories'), `${field('categories')} holds ${input.categories.length}; the limit is ${profileLimits.maxCategories} (put the rest in otherCount).`);
  const seen = new Set<string>();
  input.categories.forEach((c, i) => {
    if (typeof c.value !== 'string' || seen.has(c.value)) throw invalid(field(`categories[${i}].value`), `${field(`categories[${i}].value`)} must be a distinct string.`);
    seen.add(c.value);
    if (typeof c.count !== 'number' || !Number.isFinite(c.count) || c.count < 0) throw invalid(field(`categories[${i}].count`), `${field(`categories[${i}].count`)} must be a non-negative number.`);
  });
  const otherCount = input.otherCount ?? 0;
  if (!Number.isFinite(otherCount) || otherCount < 0) throw invalid(field('otherCount'), `${field('otherCount')} must be a non-negative number.`);
  return { name: input.name, kind: 'categorical', categories: input.categories.map((c) => ({ value: c.value, count: c.count })), otherCount, missing: missingCount(input.missing, field('missing')) };
}

/** Rows the profile describes: the largest feature total (values plus missing). */
export function profileRows(features: readonly FeatureProfile[]): number {
  let rows = 0;
  for (const f of features) {
    const total = f.kind === 'numeric' ? f.counts.reduce((s, c) => s + c, 0) : f.categories.reduce((s, c) => s + c.count, 0) + f.otherCount;
    rows = Math.max(rows, Math.round(total + f.missing));
  }
  return rows;
}

/** Validates and bins a whole profile; an error names the feature and field as `naming` spells them. */
export function featureProfilesOf(inputs: readonly FeatureProfileInput[], naming: ProfileNaming = jsonProfileNaming): FeatureProfile[] {
  const list = naming.list;
  if (!Array.isArray(inputs) || inputs.length === 0) throw invalid(list, `${list} must list at least one feature.`);
  if (inputs.length > profileLimits.maxFeatures) throw invalid(list, `${list} lists ${inputs.length}; the limit is ${profileLimits.maxFeatures}.`);
  const names = new Set<string>();
  return inputs.map((input, i) => {
    if (input.kind !== 'numeric' && input.kind !== 'categorical') throw invalid(`${list}[${i}].kind`, `${list}[${i}].kind must be numeric or categorical.`);
    if (names.has(input.name)) throw invalid(`${list}[${i}].name`, `${list}[${i}].name '${input.name}' appears twice.`);
    names.add(input.name);
    return featureProfileOf(input, i, naming);
  });
}
