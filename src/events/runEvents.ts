import { z } from 'zod';
import { defineEvent, type Upcaster } from './defineEvent.ts';
import { storedMetricValue } from './metricValue.ts';

export const runStream = (runId: string) => `run-${runId}`;

const runId = z.string().regex(/^[0-9a-f]{32}$/);
const keyValue = z.object({ key: z.string(), value: z.string() });
export const runStatus = z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);
export type RunStatus = z.infer<typeof runStatus>;

export const RunCreated = defineEvent(
  'RunCreated',
  1,
  z.object({
    runId,
    experimentId: z.string(),
    runName: z.string(),
    userId: z.string(),
    startTime: z.number().int(),
    artifactUri: z.string(),
    tags: z.array(keyValue),
  }),
);
export const RunUpdated = defineEvent(
  'RunUpdated',
  1,
  z.object({ runId, status: runStatus.optional(), endTime: z.number().int().optional(), runName: z.string().optional() }),
);
export const RunDeleted = defineEvent('RunDeleted', 1, z.object({ runId, deletedTime: z.number().int() }));
export const RunRestored = defineEvent('RunRestored', 1, z.object({ runId }));
export const ParamsLogged = defineEvent('ParamsLogged', 1, z.object({ runId, params: z.array(keyValue).min(1) }));
/**
 * v2 lets a point name the logged model it measures and the dataset it was measured on
 * (MLflow 3's model_id, dataset_name, dataset_digest); v1 points had none, so they upcast as they are.
 */
export const MetricsLogged = defineEvent(
  'MetricsLogged',
  2,
  z.object({
    runId,
    metrics: z
      .array(
        z.object({
          key: z.string(),
          value: storedMetricValue,
          timestamp: z.number().int(),
          step: z.number().int(),
          modelId: z.string().optional(),
          datasetName: z.string().optional(),
          datasetDigest: z.string().optional(),
        }),
      )
      .min(1),
  }),
);
export const RunTagsSet = defineEvent('RunTagsSet', 1, z.object({ runId, tags: z.array(keyValue).min(1) }));
export const RunTagDeleted = defineEvent('RunTagDeleted', 1, z.object({ runId, key: z.string() }));

export const runEvents = [RunCreated, RunUpdated, RunDeleted, RunRestored, ParamsLogged, MetricsLogged, RunTagsSet, RunTagDeleted] as const;

/** MetricsLogged v1 points measured the run only: the v2 fields are optional, so the data stands as it was. */
export const runUpcasters: readonly Upcaster[] = [{ type: 'MetricsLogged', fromVersion: 1, upcast: (data) => data }];
