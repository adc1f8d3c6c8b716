import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upcastEvent } from '../src/events/eventCatalog.ts';
import { MetricsLogged } from '../src/events/runEvents.ts';
import { MlflowRestClient, type MlflowErrorBody, type RunJson } from './support/mlflowRestClient.ts';
import { startTestApp, type TestApp } from './support/testApp.ts';

interface ModelMetricJson {
  key: string;
  value: number | string;
  timestamp: number;
  step: number;
  dataset_name?: string;
  dataset_digest?: string;
  model_id: string;
  run_id: string;
}
interface LoggedModelJson {
  info: { model_id: string; name: string };
  data: { params?: { key: string; value: string }[]; metrics?: ModelMetricJson[] };
}
interface SearchAnswer {
  models?: LoggedModelJson[];
  next_page_token?: string;
}

/** MLflow 3: metrics logged with model_id (and a dataset) are the logged model's metrics, over real HTTP. */
describe('MLflow REST: metrics on logged models', () => {
  let t: TestApp;
  let mlflow: MlflowRestClient;
  let experimentId: string;
  let runId: string;

  beforeAll(async () => {
    t = await startTestApp({ user: 'server-actor' });
    mlflow = new MlflowRestClient(t.url);
    experimentId = (await mlflow.setExperiment('model-metrics')).experiment_id;
    runId = (await mlflow.startRun(experimentId, 'eval')).info.run_id;
  });
  afterAll(() => t?.close());

  const createModel = async (name: string) => (await mlflow.ok<{ model: LoggedModelJson }>('logged-models', { experiment_id: experimentId, name, source_run_id: runId })).model.info.model_id;
  const getModel = async (id: string) => (await mlflow.read<{ model: LoggedModelJson }>(`logged-models/${id}`)).model;
  const search = (body: Record<string, unknown>) => mlflow.ok<SearchAnswer>('logged-models/search', { experiment_ids: [experimentId], ...body });
  const names = (answer: SearchAnswer) => answer.models?.map((m) => m.info.name) ?? [];
  async function refused(answer: Promise<{ status: number; body: unknown }>, status: number, code: string, message: string) {
    const { status: actual, body } = await answer;
    expect({ status: actual, code: (body as MlflowErrorBody).error_code, message: (body as MlflowErrorBody).message }).toEqual({ status, code, message });
  }

  it('records log-metric and log-batch points on the model, with run, dataset and model, and stores them in MetricsLogged v2', async () => {
    const id = await createModel('scored');
    expect((await getModel(id)).data).toEqual({});

    expect(await mlflow.ok('runs/log-metric', { run_id: runId, key: 'acc', value: 0.8, timestamp: 1000, step: 1, model_id: id, dataset_name: 'test', dataset_digest: 'd1' })).toEqual({});
    await mlflow.ok('runs/log-batch', {
      run_id: runId,
      metrics: [
        { key: 'acc', value: 0.9, timestamp: 2000, step: 2, model_id: id, dataset_name: 'test', dataset_digest: 'd1' },
        { key: 'acc', value: 0.7, timestamp: 2000, step: 2, model_id: id, dataset_name: 'val', dataset_digest: 'd2' },
        { key: 'loss', value: 'NaN', timestamp: 2000, step: 0, model_id: id },
        { key: 'run_only', value: 1, timestamp: 2000, step: 0 },
      ],
    });

    const model = await getModel(id);
    expect(model.data.metrics).toEqual([
      { key: 'acc', value: 0.8, timestamp: 1000, step: 1, dataset_name: 'test', dataset_digest: 'd1', model_id: id, run_id: runId },
      { key: 'acc', value: 0.9, timestamp: 2000, step: 2, dataset_name: 'test', dataset_digest: 'd1', model_id: id, run_id: runId },
      { key: 'acc', value: 0.7, timestamp: 2000, step: 2, dataset_name: 'val', dataset_digest: 'd2', model_id: id, run_id: runId },
      { key: 'loss', value: 'NaN', timestamp: 2000, step: 0, model_id: id, run_id: runId },
    ]);
    // search answers with the same message as get.
    expect((await search({ filter: "name = 'scored'" })).models).toEqual([model]);

    // The run keeps every point too; MLflow's run metrics (latest and history) carry key, value, timestamp and step only.
    const run = (await mlflow.read<{ run: RunJson }>('runs/get', { run_id: runId })).run;
    expect(run.data.metrics?.find((m) => m.key === 'acc')).toEqual({ key: 'acc', value: 0.9, timestamp: 2000, step: 2 });
    const history = await mlflow.read<{ metrics: unknown[] }>('metrics/get-history', { run_id: runId, metric_key: 'acc', max_results: 100 });
    expect(history.metrics).toEqual([
      { key: 'acc', value: 0.8, timestamp: 1000, step: 1 },
      { key: 'acc', value: 0.7, timestamp: 2000, step: 2 },
      { key: 'acc', value: 0.9, timestamp: 2000, step: 2 },
    ]);

    const events = (await t.app.backend.store.readStream(`run-${runId}`)).filter((e) => e.type === 'MetricsLogged');
    expect(events.slice(-2).map((e) => e.version)).toEqual([2, 2]);
    expect(events[events.length - 2].data).toEqual({ runId, metrics: [{ key: 'acc', value: 0.8, timestamp: 1000, step: 1, modelId: id, datasetName: 'test', datasetDigest: 'd1' }] });
    expect((events[events.length - 1].data as { metrics: unknown[] }).metrics[3]).toEqual({ key: 'run_only', value: 1, timestamp: 2000, step: 0 });
  });

  it('upcasts a stored MetricsLogged v1 unchanged to v2', () => {
    const data = { runId: 'a'.repeat(32), metrics: [{ key: 'loss', value: 1, timestamp: 5, step: 0 }] };
    const v1 = { type: 'MetricsLogged', version: 1, data, metadata: { eventId: '00000000-0000-4000-8000-000000000000', timestamp: '2026-01-01T00:00:00.000Z' } };
    const upcast = upcastEvent({ ...v1, streamId: 'run-x', revision: 0, position: 1n } as unknown as Parameters<typeof upcastEvent>[0]);
    expect(upcast.version).toBe(MetricsLogged.version);
    expect(upcast.data).toEqual(data);
    expect(MetricsLogged.is(upcast) && MetricsLogged.schema.parse(upcast.data)).toEqual(data);
  });

  it('refuses a model_id naming no logged model with RESOURCE_DOES_NOT_EXIST (404) and appends nothing', async () => {
    const before = (await t.app.backend.store.readStream(`run-${runId}`)).length;
    const missing = 'm-0123456789abcdef0123456789abcdef';
    await refused(
      mlflow.post('runs/log-metric', { run_id: runId, key: 'acc', value: 1, timestamp: 1, model_id: missing }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
      `Logged model with ID '${missing}' not found.`,
    );
    await refused(
      mlflow.post('runs/log-batch', { run_id: runId, metrics: [{ key: 'acc', value: 1, timestamp: 1 }, { key: 'acc', value: 1, timestamp: 1, model_id: 'not-a-model' }] }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
      "Logged model with ID 'not-a-model' not found.",
    );
    expect((await t.app.backend.store.readStream(`run-${runId}`)).length).toBe(before);
    // The run is checked before the model, as MLflow logs the run's metric first.
    await refused(
      mlflow.post('runs/log-metric', { run_id: 'f'.repeat(32), key: 'acc', value: 1, timestamp: 1, model_id: missing }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
      `Run with id=${'f'.repeat(32)} not found`,
    );
  });

  it('filters by metrics.<key> on any point, restricted to the request datasets, and orders by the latest point of a metric', async () => {
    const [a, b, c] = [await createModel('rank-a'), await createModel('rank-b'), await createModel('rank-c')];
    const point = (model: string, value: number, timestamp: number, dataset?: string) => ({
      key: 'f1',
      value,
      timestamp,
      step: 0,
      model_id: model,
      ...(dataset ? { dataset_name: dataset, dataset_digest: `${dataset}-digest` } : {}),
    });
    await mlflow.ok('runs/log-batch', {
      run_id: runId,
      metrics: [point(a, 0.5, 10, 'test'), point(a, 0.95, 20, 'val'), point(b, 0.7, 10, 'test'), point(b, 0.6, 30, 'test'), point(c, 0.2, 10)],
    });
    const rank = "name LIKE 'rank-%'";

    expect(names(await search({ filter: `${rank} AND metrics.f1 > 0.65` }))).toEqual(['rank-b', 'rank-a']);
    expect(names(await search({ filter: `${rank} AND metrics.f1 > 0.65`, datasets: [{ dataset_name: 'test' }] }))).toEqual(['rank-b']);
    expect(names(await search({ filter: `${rank} AND metrics.f1 > 0.65`, datasets: [{ dataset_name: 'test', dataset_digest: 'other' }] }))).toEqual([]);
    expect(names(await search({ filter: `${rank} AND metrics.f1 <= 0.2` }))).toEqual(['rank-c']);
    expect(names(await search({ filter: `${rank} AND metrics.missing = 1` }))).toEqual([]);
    // Datasets alone keep the models with some point on one of them.
    expect(names(await search({ filter: rank, datasets: [{ dataset_name: 'val' }] }))).toEqual(['rank-a']);
    expect(names(await search({ filter: rank, datasets: [{ dataset_name: 'val' }, { dataset_name: 'test', dataset_digest: 'test-digest' }] }))).toEqual(['rank-b', 'rank-a']);

    // Latest point by timestamp: a 0.95 (val), b 0.6, c 0.2; on 'test' only: a 0.5, b 0.6, c none (last).
    expect(names(await search({ filter: rank, order_by: [{ field_name: 'metrics.f1', ascending: false }] }))).toEqual(['rank-a', 'rank-b', 'rank-c']);
    expect(names(await search({ filter: rank, order_by: [{ field_name: 'metrics.f1' }] }))).toEqual(['rank-c', 'rank-b', 'rank-a']);
    expect(names(await search({ filter: rank, order_by: [{ field_name: 'metrics.f1', ascending: true, dataset_name: 'test' }] }))).toEqual(['rank-a', 'rank-b', 'rank-c']);
    expect(names(await search({ filter: rank, order_by: [{ field_name: 'metrics.f1', ascending: false, dataset_name: 'test', dataset_digest: 'test-digest' }] }))).toEqual([
      'rank-b',
      'rank-a',
      'rank-c',
    ]);

    // Paging keeps the metric order.
    const first = await search({ filter: rank, order_by: [{ field_name: 'metrics.f1', ascending: false }], max_results: 2 });
    expect(names(first)).toEqual(['rank-a', 'rank-b']);
    expect(names(await search({ filter: rank, order_by: [{ field_name: 'metrics.f1', ascending: false }], max_results: 2, page_token: first.next_page_token }))).toEqual(['rank-c']);
  });

  it('rebuilds the same model metrics from the log', async () => {
    const all = async () => (await search({ max_results: 100 })).models;
    const before = await all();
    expect(before?.flatMap((m) => m.data.metrics ?? []).length).toBe(9);
    await t.app.backend.projector.rebuild();
    expect(await all()).toEqual(before);
  });

  it('treats NaN as neither greater nor smaller in filters and orders it after numbers, before models without the metric', async () => {
    const [x, y] = [await createModel('nan-x'), await createModel('nan-y')];
    await createModel('nan-z');
    await mlflow.ok('runs/log-batch', {
      run_id: runId,
      metrics: [
        { key: 'score', value: 'NaN', timestamp: 1, model_id: x },
        { key: 'score', value: 0.3, timestamp: 1, model_id: y },
      ],
    });
    const nan = "name LIKE 'nan-%'";
    expect(names(await search({ filter: `${nan} AND metrics.score >= 0` }))).toEqual(['nan-y']);
    expect(names(await search({ filter: nan, order_by: [{ field_name: 'metrics.score', ascending: false }] }))).toEqual(['nan-y', 'nan-x', 'nan-z']);
    expect(names(await search({ filter: nan, order_by: [{ field_name: 'metrics.score', ascending: true }] }))).toEqual(['nan-y', 'nan-x', 'nan-z']);
  });

  it('refuses bad metric filters and dataset clauses with INVALID_PARAMETER_VALUE', async () => {
    const post = (body: Record<string, unknown>) => mlflow.post('logged-models/search', { experiment_ids: [experimentId], ...body });
    await refused(post({ filter: "metrics.f1 > 'high'" }), 400, 'INVALID_PARAMETER_VALUE', "Invalid value for metrics.f1: expected a number, got 'high'.");
    await refused(post({ filter: 'metrics.f1 LIKE 1' }), 400, 'INVALID_PARAMETER_VALUE', "Invalid comparison operator for metrics.f1: 'LIKE'. Expected one of ('<', '<=', '>', '>=', '=', '!=').");
    await refused(post({ datasets: [{ dataset_digest: 'x' }] }), 400, 'INVALID_PARAMETER_VALUE', '`dataset_name` in the `datasets` clause must be specified.');
    await refused(post({ order_by: [{ field_name: 'metrics.f1', dataset_digest: 'x' }] }), 400, 'INVALID_PARAMETER_VALUE', '`dataset_digest` can only be specified if `dataset_name` is also specified.');
  });
});
