import { z } from 'zod';
import { defineEvent } from './defineEvent.ts';

/**
 * What a run consumed and produced (MLflow's RunInputs and RunOutputs), appended
 * to the run's own stream beside its other events.
 */

const runId = z.string().regex(/^[0-9a-f]{32}$/);
const keyValue = z.object({ key: z.string(), value: z.string() });

export const datasetInput = z.object({
  name: z.string(),
  digest: z.string(),
  sourceType: z.string(),
  source: z.string(),
  schema: z.string().optional(),
  profile: z.string().optional(),
  /** The input's tags, e.g. mlflow.data.context = training. */
  tags: z.array(keyValue),
});
export type DatasetInput = z.infer<typeof datasetInput>;

/** Datasets (new to this run by name and digest) and logged models the run used. */
export const RunInputsLogged = defineEvent(
  'RunInputsLogged',
  1,
  z.object({ runId, datasets: z.array(datasetInput), modelIds: z.array(z.string()) }).refine((d) => d.datasets.length + d.modelIds.length > 0, 'an input event records at least one input'),
);
/** Logged models the run produced, each at the step it was logged at. */
export const RunOutputsLogged = defineEvent('RunOutputsLogged', 1, z.object({ runId, models: z.array(z.object({ modelId: z.string(), step: z.number().int() })).min(1) }));

export const runInputOutputEvents = [RunInputsLogged, RunOutputsLogged] as const;
