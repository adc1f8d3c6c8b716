import { invalid } from './domainError.ts';
import { trackingLimits } from './trackingLimits.ts';
import { truncateValue, validateKey } from './validation.ts';

/** Limits on logged models. MLflow's column sizes where it has them; ours (named so) where it has none. */
export const loggedModelLimits = {
  /** logged_models.name is String(500) in MLflow's SQL store. */
  nameLength: 500,
  /** Ours: model_type is free text in MLflow. */
  modelTypeLength: 500,
  /** Ours: MLflow stores tag values as unbounded text; mlflow.modelVersions grows with each registration. */
  tagValueLength: 100_000,
  /** Params and tags per request; ours, to bound one event. */
  itemsPerRequest: 1000,
} as const;

/** Characters MLflow 3 refuses in logged model names (they would break models:/ URIs and paths). */
const BAD_NAME_CHARACTERS = ['/', ':', '.', '%', '"', "'"];

export function validateLoggedModelName(field: string, name: string): string {
  if (name.length === 0 || BAD_NAME_CHARACTERS.some((c) => name.includes(c))) {
    throw invalid(
      field,
      `Invalid model name ('${name}') provided. Model name must be a non-empty string and cannot contain the following characters: ${BAD_NAME_CHARACTERS.map((c) => `'${c}'`).join(', ')}`,
    );
  }
  if (name.length > loggedModelLimits.nameLength) {
    throw invalid(field, `Model name exceeds the maximum length of ${loggedModelLimits.nameLength} characters (got ${name.length}).`);
  }
  return name;
}

export function validateModelType(field: string, modelType: string): string {
  if (modelType.length > loggedModelLimits.modelTypeLength) {
    throw invalid(field, `model_type exceeds the maximum length of ${loggedModelLimits.modelTypeLength} characters (got ${modelType.length}).`);
  }
  return modelType;
}

function checkCount(field: string, count: number): void {
  if (count > loggedModelLimits.itemsPerRequest) {
    throw invalid(field, `A request can carry at most ${loggedModelLimits.itemsPerRequest} ${field}; got ${count}.`);
  }
}

/** Tags: run-tag key rules, values up to loggedModelLimits.tagValueLength. */
export function validateLoggedModelTags(field: string, tags: readonly { key: string; value: string }[]): { key: string; value: string }[] {
  checkCount(field, tags.length);
  return tags.map((tag, i) => {
    const key = validateKey(`${field}[${i}].key`, tag.key, 'tag');
    if (tag.value.length > loggedModelLimits.tagValueLength) {
      throw invalid(`${field}[${i}].value`, `Tag value exceeds the maximum length of ${loggedModelLimits.tagValueLength} characters (got ${tag.value.length}).`);
    }
    return { key, value: tag.value };
  });
}

/** Params: run-param rules (key characters, values truncated at 6000 as MLflow truncates run params). */
export function validateLoggedModelParams(field: string, params: readonly { key: string; value: string }[]): { key: string; value: string }[] {
  checkCount(field, params.length);
  const seen = new Set<string>();
  return params.map((param, i) => {
    const key = validateKey(`${field}[${i}].key`, param.key, 'param');
    if (seen.has(key)) throw invalid(`${field}[${i}].key`, `Duplicate parameter keys have been submitted: ['${key}'].`);
    seen.add(key);
    return { key, value: truncateValue(param.value, `${field}[${i}].value`, trackingLimits.paramValueLength) };
  });
}
