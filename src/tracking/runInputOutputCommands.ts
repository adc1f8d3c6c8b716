import type { NewEvent } from '../events/eventEnvelope.ts';
import { RunTagsSet } from '../events/runEvents.ts';
import { RunInputsLogged, RunOutputsLogged, type DatasetInput } from '../events/runInputOutputEvents.ts';
import { metadataFor, type CommandContext } from './commandContext.ts';
import { validateDatasetInput } from './datasetValidation.ts';
import { invalid, notFound } from './domainError.ts';
import { pythonJsonDumps } from './pythonJson.ts';
import { datasetKey, MODEL_HISTORY_TAG, outputKey, type RunInputOutputState } from './runInputOutputState.ts';
import { trackingLimits } from './trackingLimits.ts';

export interface LogInputs {
  runId: string;
  datasets?: DatasetInput[];
  modelIds?: string[];
}

export interface LogOutputs {
  runId: string;
  models: { modelId: string; step: number }[];
}

/** The fields the 2.x server requires in a logged model's JSON (handlers._log_model). */
const MODEL_JSON_FIELDS = ['artifact_path', 'flavors', 'run_id', 'utc_time_created'];

/** Same wording as run commands: writes need an existing, active run. */
function activeRun(state: RunInputOutputState, runId: string): void {
  if (!state.exists) throw notFound('run_id', `Run with id=${runId} not found`);
  if (state.lifecycleStage !== 'active') {
    throw invalid('run_id', `The run ${runId} must be in the 'active' state. Current state is ${state.lifecycleStage}.`);
  }
}

/**
 * Inputs, outputs and the 2.x log-model as pure decisions over the run's stream.
 * What the run already records is left out (a dataset by name and digest keeps its
 * first tags, as in MLflow), so a retried call appends nothing.
 */
export const decideRunInputOutput = {
  logInputs(state: RunInputOutputState, command: LogInputs, ctx: CommandContext): NewEvent[] {
    const datasets = (command.datasets ?? []).map((input, i) => validateDatasetInput(`datasets[${i}]`, input));
    activeRun(state, command.runId);
    const seen = new Set(state.datasetKeys);
    const newDatasets = datasets.filter((dataset) => {
      const key = datasetKey(dataset.name, dataset.digest);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const newModels = [...new Set(command.modelIds ?? [])].filter((modelId) => !state.modelInputs.has(modelId));
    if (newDatasets.length === 0 && newModels.length === 0) return [];
    return [RunInputsLogged.create({ runId: command.runId, datasets: newDatasets, modelIds: newModels }, metadataFor(ctx, 0))];
  },

  logOutputs(state: RunInputOutputState, command: LogOutputs, ctx: CommandContext): NewEvent[] {
    if (command.models.length === 0) throw invalid('models', "Missing value for required parameter 'models'.");
    activeRun(state, command.runId);
    const seen = new Set(state.outputs);
    const models = command.models.filter((model) => {
      const key = outputKey(model.modelId, model.step);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    return models.length === 0 ? [] : [RunOutputsLogged.create({ runId: command.runId, models }, metadataFor(ctx, 0))];
  },

  /**
   * 2.x runs/log-model: MLflow appends the model's JSON to the run's
   * mlflow.log-model.history tag (a JSON list), so the fact is stored as that tag.
   */
  logModel(state: RunInputOutputState, runId: string, modelJson: string, ctx: CommandContext): NewEvent[] {
    let model: unknown;
    try {
      model = JSON.parse(modelJson);
    } catch {
      throw invalid('model_json', `Malformed model info. \n ${modelJson} \n is not a valid JSON.`);
    }
    if (typeof model !== 'object' || model === null || Array.isArray(model)) {
      throw invalid('model_json', `Malformed model info. \n ${modelJson} \n is not a JSON object.`);
    }
    const missing = MODEL_JSON_FIELDS.filter((field) => !Object.hasOwn(model, field));
    if (missing.length > 0) throw invalid('model_json', `Model json is missing mandatory fields: {${missing.map((f) => `'${f}'`).join(', ')}}`);
    activeRun(state, runId);
    const history = appendToHistory(state.modelHistory, model);
    if (history.length > trackingLimits.runTagValueLength) {
      throw invalid(
        'model_json',
        `The run's ${MODEL_HISTORY_TAG} tag would grow to ${history.length} characters, over the tag value limit of ${trackingLimits.runTagValueLength}; the model was not recorded.`,
      );
    }
    return [RunTagsSet.create({ runId, tags: [{ key: MODEL_HISTORY_TAG, value: history }] }, metadataFor(ctx, 0))];
  },
};

function appendToHistory(previous: string | undefined, model: object): string {
  if (previous === undefined) return pythonJsonDumps([model]);
  let list: unknown;
  try {
    list = JSON.parse(previous);
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list)) throw invalid('run_id', `The run's ${MODEL_HISTORY_TAG} tag does not hold a JSON list, so no model can be added to it.`);
  return pythonJsonDumps([...list, model]);
}
