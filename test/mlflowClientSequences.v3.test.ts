import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowWire, sklearnModelFiles } from './support/mlflowWire.ts';
import { startTestApp, type TestApp } from './support/testApp.ts';

/**
 * The request sequence the mlflow 3.x Python client (3.11) sends for a typical
 * training script, replayed over HTTP in the client's order:
 *
 *   mlflow.set_experiment("churn-3x")                  # after the telemetry probe, server-info
 *   with mlflow.start_run(run_name="gbm") as run:
 *       log_param / log_metrics / set_tag / log_artifact
 *       mlflow.sklearn.log_model(model, name="model")  # a LoggedModel: create → upload → finalize → run outputs
 *   mlflow.register_model(f"runs:/{run_id}/model", "churn-3x")   # finds the logged model, registers models:/m-…
 *   client.transition_model_version_stage, set_registered_model_alias, set_model_version_tag,
 *   search_model_versions, get_model_version_download_uri, load the model's files,
 *   mlflow.search_runs, client.get_metric_history (paged)
 *
 * The Python client cannot be installed here (no PyPI); the sequence follows the
 * access log in ../shared/reference/mlflow-rest.md §1.2 and the 3.x client's code
 * paths (register_model's logged-model lookup, RunsArtifactRepository).
 */
describe('mlflow 3.x client: request sequence of a training script', () => {
  let t: TestApp;
  let wire: MlflowWire;
  beforeAll(async () => {
    t = await startTestApp({ user: 'server' });
    wire = new MlflowWire(t.url, 'mlflow-python-client/3.11.1');
  });
  afterAll(() => t?.close());

  it('log_model as a logged model, then register_model("runs:/<run>/model") registers models:/<model_id>', async () => {
    // Telemetry probe, then set_experiment.
    expect(await wire.json('GET', 'server-info', { prefix: '/api/3.0/mlflow/' })).toEqual({ store_type: 'SqlStore', workspaces_enabled: false });
    await wire.refused('GET', 'experiments/get-by-name', 404, { query: { experiment_name: 'churn-3x' } });
    const { experiment_id: exp } = await wire.post<{ experiment_id: string }>('experiments/create', { name: 'churn-3x' });
    await wire.get('experiments/get', { experiment_id: exp });

    const started = Date.now();
    const { run: created } = await wire.post<{ run: RunJson }>('runs/create', {
      experiment_id: exp,
      user_id: 'bob',
      start_time: started,
      run_name: 'gbm',
      tags: [
        { key: 'mlflow.user', value: 'bob' },
        { key: 'mlflow.source.name', value: 'train.py' },
        { key: 'mlflow.source.type', value: 'LOCAL' },
        { key: 'mlflow.runName', value: 'gbm' },
      ],
    });
    const runId = created.info.run_id;
    await wire.post('runs/log-parameter', { run_id: runId, key: 'learning_rate', value: '0.05' });
    await wire.post('runs/log-batch', { run_id: runId, metrics: [{ key: 'auc', value: 0.88, timestamp: started + 1, step: 0 }, { key: 'auc', value: 0.9, timestamp: started + 2, step: 1 }], params: [], tags: [] });
    await wire.post('runs/set-tag', { run_id: runId, key: 'stage', value: 'dev' });
    await wire.get('runs/get', { run_id: runId });
    await wire.upload(`${exp}/${runId}/artifacts/report.md`, '# report\n', 'text/markdown');

    // mlflow.sklearn.log_model(model, name="model"): create the LoggedModel (PENDING) …
    const { model } = await wire.post<{ model: LoggedModelJson }>('logged-models', {
      experiment_id: exp,
      name: 'model',
      model_type: '',
      source_run_id: runId,
      params: [{ key: 'learning_rate', value: '0.05' }],
      tags: [{ key: 'mlflow.user', value: 'bob' }],
    });
    const modelId = model.info.model_id;
    const modelRoot = `${exp}/models/${modelId}/artifacts`;
    expect(model.info).toMatchObject({ model_id: expect.stringMatching(/^m-[0-9a-f]{32}$/), name: 'model', status: 'LOGGED_MODEL_PENDING', source_run_id: runId, artifact_uri: `mlflow-artifacts:/${modelRoot}` });
    expect(model.info.model_type).toBeUndefined(); // '' is unset, as proto3 has it
    // … upload its files to the model's own location (the client reads it back first) …
    expect((await wire.get<{ model: LoggedModelJson }>(`logged-models/${modelId}`)).model.info.artifact_uri).toBe(`mlflow-artifacts:/${modelRoot}`);
    const modelFiles = sklearnModelFiles(runId, 'model', modelId);
    for (const [name, bytes] of Object.entries(modelFiles)) await wire.upload(`${modelRoot}/${name}`, bytes);
    // … finalize it READY, link it to the run as an output, and read it back.
    const { model: ready } = await wire.json<{ model: LoggedModelJson }>('PATCH', `logged-models/${modelId}`, { body: { model_id: modelId, status: 'LOGGED_MODEL_READY' } });
    expect(ready.info.status).toBe('LOGGED_MODEL_READY');
    expect(await wire.post('runs/outputs', { run_id: runId, models: [{ model_id: modelId, step: 0 }] })).toEqual({});
    await wire.get(`logged-models/${modelId}`);

    await wire.post('runs/update', { run_id: runId, status: 'FINISHED', end_time: started + 5_000 });
    const { run } = await wire.get<{ run: RunJson }>('runs/get', { run_id: runId });
    // As the live server showed it: the model is an output of the run; the run's own artifacts hold no model.
    expect(run.outputs).toEqual({ model_outputs: [{ model_id: modelId, step: 0 }] });
    expect(run.inputs).toEqual({});

    // mlflow.register_model(f"runs:/{run_id}/model", "churn-3x"):
    const { registered_model } = await wire.post<{ registered_model: { name: string } }>('registered-models/create', { name: 'churn-3x' });
    expect(registered_model.name).toBe('churn-3x');
    // RunsArtifactRepository: the run's artifact root, then a listing of <root>/model (no MLmodel there) …
    await wire.get('runs/get', { run_id: runId });
    expect(await wire.listArtifacts(`${exp}/${runId}/artifacts/model`)).toEqual({});
    // … so the client looks for a logged model named "model" from this run …
    await wire.get('runs/get', { run_id: runId });
    const search = await wire.post<{ models?: LoggedModelJson[]; next_page_token?: string }>('logged-models/search', { experiment_ids: [exp], filter: "name = 'model'" });
    expect(search.models?.map((m) => [m.info.model_id, m.info.source_run_id])).toEqual([[modelId, runId]]);
    expect(search.next_page_token).toBeUndefined();
    // … and registers models:/<model_id>; the server resolves it to the logged model's files.
    const { model_version: v1 } = await wire.post<{ model_version: ModelVersionJson }>('model-versions/create', { name: 'churn-3x', source: `models:/${modelId}`, run_id: runId, model_id: modelId });
    expect(v1).toMatchObject({ name: 'churn-3x', version: '1', source: `models:/${modelId}`, run_id: runId, status: 'READY', current_stage: 'None', model_id: modelId });
    // The client then records the registration on the logged model.
    const { model: beforeTag } = await wire.get<{ model: LoggedModelJson }>(`logged-models/${modelId}`);
    expect(beforeTag.info.tags).toEqual([{ key: 'mlflow.user', value: 'bob' }]);
    const registrations = JSON.stringify([{ name: 'churn-3x', version: '1' }]);
    const { model: tagged } = await wire.json<{ model: LoggedModelJson }>('PATCH', `logged-models/${modelId}/tags`, { body: { tags: [{ key: 'mlflow.modelVersions', value: registrations }] } });
    expect(tagged.info.tags).toContainEqual({ key: 'mlflow.modelVersions', value: registrations });

    // MlflowClient.create_model_version(name, "runs:/<run>/model", run_id) without the client's lookup: the server finds the logged model.
    const { model_version: v2 } = await wire.post<{ model_version: ModelVersionJson }>('model-versions/create', { name: 'churn-3x', source: `runs:/${runId}/model`, run_id: runId });
    expect(v2).toMatchObject({ version: '2', source: `runs:/${runId}/model`, run_id: runId });

    // transition stage, alias, version tag, search versions, download URI.
    await wire.post('model-versions/transition-stage', { name: 'churn-3x', version: '1', stage: 'Production', archive_existing_versions: true });
    await wire.post('registered-models/alias', { name: 'churn-3x', alias: 'champion', version: '1' });
    const { model_version: champion } = await wire.get<{ model_version: ModelVersionJson }>('registered-models/alias', { name: 'churn-3x', alias: 'champion' });
    expect(champion).toMatchObject({ version: '1', current_stage: 'Production', aliases: ['champion'] });
    expect(await wire.post('model-versions/set-tag', { name: 'churn-3x', version: '1', key: 'validated', value: 'true' })).toEqual({});
    const versions = await wire.get<{ model_versions: ModelVersionJson[] }>('model-versions/search', { filter: "name='churn-3x'" });
    expect(versions.model_versions.map((v) => v.version).sort()).toEqual(['1', '2']);
    // Both versions point at the logged model's files: mlflow-artifacts:/<exp>/models/<id>/artifacts.
    for (const version of ['1', '2']) {
      expect(await wire.get('model-versions/get-download-uri', { name: 'churn-3x', version })).toEqual({ artifact_uri: `mlflow-artifacts:/${modelRoot}` });
    }

    // mlflow.pyfunc.load_model("models:/churn-3x@champion"): list the model's files and download each.
    const listing = await wire.listArtifacts(modelRoot);
    expect(listing.files?.map((file) => file.path)).toEqual(Object.keys(modelFiles).sort());
    for (const [name, bytes] of Object.entries(modelFiles)) expect((await wire.download(`${modelRoot}/${name}`)).equals(bytes)).toBe(true);
    // The tracking API lists the same files by model id.
    const byModel = await wire.get<{ root_uri: string; files: { path: string }[] }>(`logged-models/${modelId}/artifacts/directories`);
    expect(byModel.root_uri).toBe(`mlflow-artifacts:/${modelRoot}`);
    expect(byModel.files.map((file) => file.path)).toEqual(Object.keys(modelFiles).sort());

    // mlflow.search_runs and client.get_metric_history (max_results=25000, page_token paging).
    const found = await wire.post<{ runs: RunJson[] }>('runs/search', { experiment_ids: [exp], filter: 'metrics.auc >= 0.9', run_view_type: 'ACTIVE_ONLY', max_results: 1000, order_by: ['attributes.start_time DESC'] });
    expect(found.runs.map((r) => [r.info.run_id, r.outputs])).toEqual([[runId, { model_outputs: [{ model_id: modelId, step: 0 }] }]]);
    const page = await wire.get<{ metrics: { step: number }[]; next_page_token?: string }>('metrics/get-history', { run_id: runId, metric_key: 'auc', max_results: 1 });
    expect(page.metrics.map((m) => m.step)).toEqual([0]);
    const rest = await wire.get<{ metrics: { step: number }[]; next_page_token?: string }>('metrics/get-history', { run_id: runId, metric_key: 'auc', max_results: 1, page_token: page.next_page_token ?? '' });
    expect(rest.metrics.map((m) => m.step)).toEqual([1]);

    expect(wire.log.filter((entry) => entry.includes('logged-models') || entry.includes('runs/outputs') || entry.includes('model-versions/create'))).toEqual([
      'POST /api/2.0/mlflow/logged-models',
      `GET /api/2.0/mlflow/logged-models/${modelId}`,
      `PATCH /api/2.0/mlflow/logged-models/${modelId}`,
      'POST /api/2.0/mlflow/runs/outputs',
      `GET /api/2.0/mlflow/logged-models/${modelId}`,
      'POST /api/2.0/mlflow/logged-models/search',
      'POST /api/2.0/mlflow/model-versions/create',
      `GET /api/2.0/mlflow/logged-models/${modelId}`,
      `PATCH /api/2.0/mlflow/logged-models/${modelId}/tags`,
      'POST /api/2.0/mlflow/model-versions/create',
      `GET /api/2.0/mlflow/logged-models/${modelId}/artifacts/directories`,
    ]);
    // The logged model's life is in its own stream; the output link is in the run's.
    expect((await t.app.backend.store.readStream(`logged-model-${modelId}`)).map((e) => e.type)).toEqual(['LoggedModelCreated', 'LoggedModelFinalized', 'LoggedModelTagsSet']);
    expect((await t.app.backend.store.readStream(`run-${runId}`)).map((e) => e.type)).toContain('RunOutputsLogged');
  });

  it('register_model for a run without a logged model of that name: the lookup finds nothing, as MLflow answers', async () => {
    const { experiment_id: exp } = await wire.post<{ experiment_id: string }>('experiments/create', { name: 'no-model-3x' });
    const { run } = await wire.post<{ run: RunJson }>('runs/create', { experiment_id: exp, start_time: Date.now(), run_name: 'plain', tags: [] });
    const runId = run.info.run_id;
    await wire.upload(`${exp}/${runId}/artifacts/sub/file.txt`, 'not a model');
    await wire.post('registered-models/create', { name: 'no-model-3x' });
    await wire.get('runs/get', { run_id: runId });
    expect((await wire.listArtifacts(`${exp}/${runId}/artifacts/sub`)).files?.map((file) => file.path)).toEqual(['file.txt']); // no MLmodel
    await wire.get('runs/get', { run_id: runId });
    // No models: the client raises "Unable to find a logged_model with artifact_path sub under run …" itself.
    expect(await wire.post('logged-models/search', { experiment_ids: [exp], filter: "name = 'sub'" })).toEqual({});

    // Logged-model calls a 3.x client can get wrong.
    const missing = 'm-0123456789abcdef0123456789abcdef';
    expect(await wire.refused('GET', `logged-models/${missing}`, 404)).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Logged model with ID '${missing}' not found.` });
    expect((await wire.refused('POST', 'logged-models', 400, { body: { experiment_id: exp, name: 'my.model' } })).error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await wire.refused('POST', 'runs/outputs', 404, { body: { run_id: runId, models: [{ model_id: missing, step: 0 }] } })).message).toBe(`Logged model with ID '${missing}' not found.`);
    expect((await wire.refused('POST', 'model-versions/create', 404, { body: { name: 'no-model-3x', source: `models:/${missing}`, model_id: missing } })).error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    await wire.post('experiments/delete', { experiment_id: exp });
    const inDeleted = await wire.refused('POST', 'logged-models', 400, { body: { experiment_id: exp, name: 'late' } });
    expect(inDeleted).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: `The experiment ${exp} must be in the 'active' state. Current state is deleted.` });
  });
});

interface RunJson {
  info: { run_id: string; [field: string]: unknown };
  data: Record<string, unknown>;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}
interface LoggedModelJson {
  info: { model_id: string; name: string; status: string; source_run_id?: string; artifact_uri: string; model_type?: string; tags?: { key: string; value: string }[] };
  data: Record<string, unknown>;
}
interface ModelVersionJson {
  name: string;
  version: string;
  source: string;
  run_id: string;
  status: string;
  current_stage: string;
  aliases?: string[];
  model_id?: string;
}
