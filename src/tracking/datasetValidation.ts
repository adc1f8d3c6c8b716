import type { DatasetInput } from '../events/runInputOutputEvents.ts';
import { invalid } from './domainError.ts';

/** MLflow's dataset and input-tag limits (mlflow/utils/validation.py). */
export const datasetLimits = {
  nameLength: 500,
  digestLength: 36,
  sourceLength: 65_535,
  schemaLength: 1_048_575,
  profileLength: 16_777_215,
  inputTagKeyLength: 255,
  inputTagValueLength: 500,
} as const;

function limit(field: string, what: string, value: string, max: number): string {
  if (value.length > max) throw invalid(field, `${what} exceeds the maximum length of ${max} characters (got ${value.length}).`);
  return value;
}

/** One dataset input of log-inputs, checked field by field; field names as in the request (datasets[i].dataset.name). */
export function validateDatasetInput(field: string, input: DatasetInput): DatasetInput {
  const at = `${field}.dataset`;
  return {
    name: limit(`${at}.name`, 'Dataset name', input.name, datasetLimits.nameLength),
    digest: limit(`${at}.digest`, 'Dataset digest', input.digest, datasetLimits.digestLength),
    sourceType: input.sourceType,
    source: limit(`${at}.source`, 'Dataset source', input.source, datasetLimits.sourceLength),
    schema: input.schema === undefined ? undefined : limit(`${at}.schema`, 'Dataset schema', input.schema, datasetLimits.schemaLength),
    profile: input.profile === undefined ? undefined : limit(`${at}.profile`, 'Dataset profile', input.profile, datasetLimits.profileLength),
    tags: input.tags.map((tag, i) => ({
      key: limit(`${field}.tags[${i}].key`, 'Input tag key', tag.key, datasetLimits.inputTagKeyLength),
      value: limit(`${field}.tags[${i}].value`, 'Input tag value', tag.value, datasetLimits.inputTagValueLength),
    })),
  };
}
