import type { RecordedEvent } from '../events/eventEnvelope.ts';
import { RunCreated, RunDeleted, RunRestored, RunTagDeleted, RunTagsSet } from '../events/runEvents.ts';
import { RunInputsLogged, RunOutputsLogged } from '../events/runInputOutputEvents.ts';
import type { StreamFold } from './streamStateCache.ts';

/** MLflow keeps the 2.x client's logged models as a JSON list in this run tag. */
export const MODEL_HISTORY_TAG = 'mlflow.log-model.history';

/** What run input/output and log-model commands decide on, folded from the run's stream. */
export interface RunInputOutputState {
  exists: boolean;
  lifecycleStage: 'active' | 'deleted';
  /** The current value of the mlflow.log-model.history tag, if set. */
  modelHistory?: string;
  /** name + NUL + digest of every dataset input already logged. */
  datasetKeys: Set<string>;
  modelInputs: Set<string>;
  /** modelId + NUL + step of every model output already logged. */
  outputs: Set<string>;
}

export const datasetKey = (name: string, digest: string) => `${name}\u0000${digest}`;
export const outputKey = (modelId: string, step: number) => `${modelId}\u0000${step}`;

export const runInputOutputStateFold: StreamFold<RunInputOutputState> = {
  initial: () => ({ exists: false, lifecycleStage: 'active', datasetKeys: new Set(), modelInputs: new Set(), outputs: new Set() }),
  evolve(state, event: RecordedEvent) {
    if (RunCreated.is(event) || RunTagsSet.is(event)) {
      if (RunCreated.is(event)) state.exists = true;
      const history = event.data.tags.filter((tag) => tag.key === MODEL_HISTORY_TAG).pop();
      if (history) state.modelHistory = history.value;
    } else if (RunTagDeleted.is(event)) {
      if (event.data.key === MODEL_HISTORY_TAG) state.modelHistory = undefined;
    } else if (RunDeleted.is(event)) state.lifecycleStage = 'deleted';
    else if (RunRestored.is(event)) state.lifecycleStage = 'active';
    else if (RunInputsLogged.is(event)) {
      for (const dataset of event.data.datasets) state.datasetKeys.add(datasetKey(dataset.name, dataset.digest));
      for (const modelId of event.data.modelIds) state.modelInputs.add(modelId);
    } else if (RunOutputsLogged.is(event)) {
      for (const output of event.data.models) state.outputs.add(outputKey(output.modelId, output.step));
    }
    return state;
  },
};
