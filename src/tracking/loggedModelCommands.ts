import type { NewEvent } from '../events/eventEnvelope.ts';
import {
  LoggedModelCreated,
  LoggedModelDeleted,
  LoggedModelFinalized,
  LoggedModelParamsLogged,
  LoggedModelTagDeleted,
  LoggedModelTagsSet,
  type LoggedModelStatus,
} from '../events/loggedModelEvents.ts';
import { metadataFor, type CommandContext } from './commandContext.ts';
import { invalid, notFound } from './domainError.ts';
import type { ExperimentState } from './experimentsCatalog.ts';
import { randomRunName } from './ids.ts';
import type { LoggedModelState } from './loggedModelState.ts';
import { validateLoggedModelName, validateLoggedModelParams, validateLoggedModelTags, validateModelType } from './loggedModelValidation.ts';
import { validateRunId } from './validation.ts';

export interface KeyValue {
  key: string;
  value: string;
}

export interface CreateLoggedModel {
  experimentId: string;
  name?: string;
  modelType?: string;
  sourceRunId?: string;
  params?: KeyValue[];
  tags?: KeyValue[];
}

/** MLflow's wording, which clients and users already know. */
export const loggedModelNotFound = (modelId: string) => notFound('model_id', `Logged model with ID '${modelId}' not found.`);

export function existingLoggedModel(state: LoggedModelState, modelId: string): LoggedModelState {
  if (!state.exists) throw loggedModelNotFound(modelId);
  return state;
}

/**
 * Logged-model commands as pure decisions. As in MLflow, a deleted model still takes
 * tags, params and a new status (it only drops out of get and search); the
 * experiment must be active to create one in it.
 */
export const decideLoggedModel = {
  create(state: LoggedModelState, experiment: ExperimentState, modelId: string, command: CreateLoggedModel, ctx: CommandContext): NewEvent[] {
    if (state.exists) throw invalid('model_id', `Logged model with ID '${modelId}' already exists.`);
    const name = command.name === undefined ? randomRunName() : validateLoggedModelName('name', command.name);
    return [
      LoggedModelCreated.create(
        {
          modelId,
          experimentId: experiment.experimentId,
          name,
          artifactLocation: `${experiment.artifactLocation.replace(/\/+$/, '')}/models/${modelId}/artifacts`,
          modelType: command.modelType === undefined ? undefined : validateModelType('model_type', command.modelType),
          sourceRunId: command.sourceRunId === undefined ? undefined : validateRunId('source_run_id', command.sourceRunId),
          userId: ctx.actor,
          creationTime: ctx.now.getTime(),
          params: validateLoggedModelParams('params', command.params ?? []),
          tags: validateLoggedModelTags('tags', command.tags ?? []),
        },
        metadataFor(ctx, 0),
      ),
    ];
  },

  finalize(state: LoggedModelState, modelId: string, status: LoggedModelStatus, ctx: CommandContext): NewEvent[] {
    existingLoggedModel(state, modelId);
    return [LoggedModelFinalized.create({ modelId, status, updatedTime: ctx.now.getTime() }, metadataFor(ctx, 0))];
  },

  setTags(state: LoggedModelState, modelId: string, tags: KeyValue[], ctx: CommandContext): NewEvent[] {
    existingLoggedModel(state, modelId);
    const valid = validateLoggedModelTags('tags', tags);
    return valid.length === 0 ? [] : [LoggedModelTagsSet.create({ modelId, tags: valid }, metadataFor(ctx, 0))];
  },

  deleteTag(state: LoggedModelState, modelId: string, key: string, ctx: CommandContext): NewEvent[] {
    existingLoggedModel(state, modelId);
    if (!state.tagKeys.has(key)) throw notFound('tag_key', `No tag with key '${key}' found for model with ID '${modelId}'.`);
    return [LoggedModelTagDeleted.create({ modelId, key }, metadataFor(ctx, 0))];
  },

  /** Params are write-once, like a run's: the same value again is a no-op, another value is refused. */
  logParams(state: LoggedModelState, modelId: string, params: KeyValue[], ctx: CommandContext): NewEvent[] {
    existingLoggedModel(state, modelId);
    const fresh = validateLoggedModelParams('params', params).filter((param, i) => {
      const existing = state.params.get(param.key);
      if (existing !== undefined && existing !== param.value) {
        throw invalid(
          `params[${i}].value`,
          `Changing param values is not allowed. Param with key='${param.key}' was already logged with value='${existing}' for model ID='${modelId}'. Attempted logging new value '${param.value}'.`,
        );
      }
      return existing === undefined;
    });
    return fresh.length === 0 ? [] : [LoggedModelParamsLogged.create({ modelId, params: fresh }, metadataFor(ctx, 0))];
  },

  delete(state: LoggedModelState, modelId: string, ctx: CommandContext): NewEvent[] {
    existingLoggedModel(state, modelId);
    if (state.lifecycleStage === 'deleted') return [];
    return [LoggedModelDeleted.create({ modelId, deletedTime: ctx.now.getTime() }, metadataFor(ctx, 0))];
  },
};
