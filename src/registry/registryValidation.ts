import { modelStage, type ModelStage } from '../events/registryEvents.ts';
import { invalid } from '../tracking/domainError.ts';
import { validateKey } from '../tracking/validation.ts';

/** MLflow's registry limits (mlflow/utils/validation.py). */
export const registryLimits = {
  tagKeyLength: 250,
  tagValueLength: 100_000,
  aliasLength: 255,
  nameLength: 256,
} as const;

const missing = (field: string) => invalid(field, `Missing value for required parameter '${field}'.`);

/** A registered model name: non-empty, no '/' or ':', and not a path that resolves to another name. */
export function validateModelName(field: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw missing(field);
  if (name.includes('/') || name.includes(':')) {
    throw invalid(field, `Invalid model name: '${name}'. Registered model names cannot contain '/' or ':'.`);
  }
  if (name === '.' || name === '..') throw invalid(field, `Invalid model name: '${name}'. Names must not resolve to other names when treated as paths.`);
  if (name.length > registryLimits.nameLength) throw invalid(field, `Registered model name exceeds the maximum length of ${registryLimits.nameLength} characters (got ${name.length}).`);
  return name;
}

/** Model versions travel as strings in MLflow's API; they must be positive integers. */
export function parseVersion(field: string, value: unknown): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || text.length === 0) throw missing(field);
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw invalid(field, `Parameter '${field}' must be a positive integer, got '${text}'.`);
  }
  return Number(text);
}

/** Stage names are case-insensitive on the way in, canonical on the way out. */
export function parseStage(field: string, value: unknown): ModelStage {
  if (typeof value !== 'string' || value.length === 0) throw missing(field);
  const stage = modelStage.options.find((s) => s.toLowerCase() === value.toLowerCase());
  if (!stage) throw invalid(field, `Invalid Model Version stage: ${value}. Value must be one of ${modelStage.options.join(', ')}.`);
  return stage;
}

export function validateRegistryTag(keyField: string, valueField: string, key: unknown, value: unknown): { key: string; value: string } {
  const validKey = validateKey(keyField, key, 'tag');
  if (validKey.length > registryLimits.tagKeyLength) throw invalid(keyField, `Tag key exceeds ${registryLimits.tagKeyLength} characters.`);
  if (typeof value !== 'string') throw missing(valueField);
  if (value.length > registryLimits.tagValueLength) {
    throw invalid(valueField, `Tag value exceeds the maximum length of ${registryLimits.tagValueLength} characters (got ${value.length}).`);
  }
  return { key: validKey, value };
}

/** Aliases: word characters and dashes, at most 255; 'latest' and 'v<digits>' name versions already. */
export function validateAlias(field: string, alias: unknown): string {
  if (typeof alias !== 'string' || alias.length === 0) throw missing(field);
  if (!/^[\w-]*$/.test(alias)) throw invalid(field, `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`);
  if (alias.length > registryLimits.aliasLength) throw invalid(field, `Alias name exceeds the maximum length of ${registryLimits.aliasLength} characters (got ${alias.length}).`);
  if (alias.toLowerCase() === 'latest') throw invalid(field, `'${alias}' alias name (case insensitive) is reserved.`);
  if (/^v\d+$/i.test(alias)) throw invalid(field, `Version alias name '${alias}' is reserved.`);
  return alias;
}

export interface ParsedSource {
  /** The run a runs:/ source names, if any. */
  runId?: string;
  /** The artifact path inside that run. */
  artifactPath?: string;
}

/** Reads runs:/<run id>/<path>; any other non-empty URI or path is taken as is. */
export function parseSource(field: string, source: unknown): ParsedSource {
  if (typeof source !== 'string' || source.length === 0) throw missing(field);
  if (!source.startsWith('runs:')) return {};
  const match = /^runs:\/([^/]+)(?:\/(.*))?$/.exec(source);
  if (!match) throw invalid(field, `Invalid source '${source}': a runs:/ URI must look like runs:/<run_id>/<path>.`);
  return { runId: match[1], artifactPath: (match[2] ?? '').replace(/\/+$/, '') };
}
