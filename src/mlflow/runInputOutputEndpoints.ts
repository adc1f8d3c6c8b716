import { keyValueOf } from './experimentEndpoints.ts';
import { route, type Endpoint, type MlflowRoute } from './mlflowRoute.ts';
import type { RequestFields } from './requestFields.ts';

/**
 * runs/log-inputs, runs/outputs and the 2.x runs/log-model: what a run consumed
 * and produced. They answer {} as MLflow does; runs/get shows the result.
 */

function datasetInputOf(element: RequestFields) {
  const dataset = element.requiredMessage('dataset');
  return {
    name: dataset.requiredString('name'),
    digest: dataset.requiredString('digest'),
    sourceType: dataset.requiredString('source_type'),
    source: dataset.requiredString('source'),
    schema: dataset.optionalString('schema'),
    profile: dataset.optionalString('profile'),
    tags: element.messageList('tags').map(keyValueOf),
  };
}

const logInputs: Endpoint = async (fields, ctx) => {
  await ctx.modelLogging.logInputs(
    {
      runId: fields.requiredString('run_id'),
      datasets: fields.messageList('datasets').map(datasetInputOf),
      modelIds: fields.messageList('models').map((element) => element.requiredString('model_id')),
    },
    ctx.command(),
  );
  return {};
};

const logOutputs: Endpoint = async (fields, ctx) => {
  const runId = fields.requiredString('run_id');
  const models = fields.messageList('models').map((element) => ({ modelId: element.requiredString('model_id'), step: element.optionalInteger('step') ?? 0 }));
  await ctx.modelLogging.logOutputs({ runId, models }, ctx.command());
  return {};
};

const logModel: Endpoint = async (fields, ctx) => {
  await ctx.modelLogging.logModel(fields.runId(), fields.requiredString('model_json'), ctx.command());
  return {};
};

export const runInputOutputRoutes: MlflowRoute[] = [
  route('POST', 'runs/log-inputs', logInputs),
  route('POST', 'runs/outputs', logOutputs),
  route('POST', 'runs/log-model', logModel),
];
