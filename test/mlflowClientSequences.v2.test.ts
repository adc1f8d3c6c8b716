import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowWire, sklearnModelFiles } from './support/mlflowWire.ts';
import { startTestApp, type TestApp } from './support/testApp.ts';

/**
 * The request sequence the mlflow 2.x Python client (2.22) sends for a typical
 * training script, replayed over HTTP in the client's order:
 *
 *   mlflow.set_experiment("churn-2x")
 *   with mlflow.start_run(run_name="rf") as run:
 *       mlflow.log_param / log_params / log_metric / log_metrics, MlflowClient().log_batch
 *       mlflow.set_tag, mlflow.log_artifact, mlflow.log_dict
 *       mlflow.sklearn.log_model(model, "model")        # files under the run, then runs/log-model
 *   mlflow.register_model(f"runs:/{run_id}/model", "churn-2x")   # twice: the second create is refused
 *   client.transition_model_version_stage(...), set_registered_model_alias, get_model_version_by_alias
 *   mlflow.search_runs(...), client.get_metric_history, client.list_artifacts, client.download_artifacts
 *   mlflow.pyfunc.load_model("models:/churn-2x@champion")
 *
 * The Python client cannot be installed here (no PyPI), so the sequence is built
 * from the wire-protocol notes (../shared/reference/mlflow-rest.md §1.2–1.10):
 * paths, fields, response shapes, and the error table of §1.6.
 */
describe('mlflow 2.x client: request sequence of a training script', () => {
  let t: TestApp;
  let wire: MlflowWire;
  beforeAll(async () => {
    t = await startTestApp({ user: 'server' });
    wire = new MlflowWire(t.url, 'mlflow-python-client/2.22.1');
  });
  afterAll(() => t?.close());

  it('set experiment, run, log, artifacts, log_model, register, stage, alias, search, download', async () => {
    // mlflow.set_experiment: get-by-name (404 the first time), create, get.
    const missing = await wire.refused('GET', 'experiments/get-by-name', 404, { query: { experiment_name: 'churn-2x' } });
    expect(missing).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Could not find experiment with name 'churn-2x'" });
    const { experiment_id: exp } = await wire.post<{ experiment_id: string }>('experiments/create', { name: 'churn-2x' });
    expect(exp).toMatch(/^\d+$/);
    const { experiment } = await wire.get<{ experiment: Record<string, unknown> }>('experiments/get', { experiment_id: exp });
    expect(experiment).toEqual({
      experiment_id: exp,
      name: 'churn-2x',
      artifact_location: `mlflow-artifacts:/${exp}`,
      lifecycle_stage: 'active',
      last_update_time: experiment.creation_time,
      creation_time: experiment.creation_time,
    });

    // mlflow.start_run(run_name="rf"): the client's context tags.
    const started = Date.now();
    const { run: created } = await wire.post<{ run: RunJson }>('runs/create', {
      experiment_id: exp,
      user_id: 'alice',
      start_time: started,
      run_name: 'rf',
      tags: [
        { key: 'mlflow.user', value: 'alice' },
        { key: 'mlflow.source.name', value: 'train.py' },
        { key: 'mlflow.source.type', value: 'LOCAL' },
        { key: 'mlflow.source.git.commit', value: '3f2a9c1' },
        { key: 'mlflow.runName', value: 'rf' },
      ],
    });
    const runId = created.info.run_id;
    const runRoot = `${exp}/${runId}/artifacts`;
    expect(created).toEqual({
      info: {
        run_id: runId,
        run_uuid: runId,
        run_name: 'rf',
        experiment_id: exp,
        user_id: 'alice',
        status: 'RUNNING',
        start_time: started,
        artifact_uri: `mlflow-artifacts:/${runRoot}`,
        lifecycle_stage: 'active',
      },
      data: { tags: expect.any(Array) },
      inputs: {},
      outputs: {},
    });

    // log_param (single), log_params (batch), log_metric (single), log_metrics (batch), MlflowClient.log_batch.
    expect(await wire.post('runs/log-parameter', { run_id: runId, run_uuid: runId, key: 'n_estimators', value: '100' })).toEqual({});
    await wire.post('runs/log-batch', { run_id: runId, metrics: [], params: [{ key: 'max_depth', value: '5' }, { key: 'criterion', value: 'gini' }], tags: [] });
    await wire.post('runs/log-metric', { run_id: runId, run_uuid: runId, key: 'accuracy', value: 0.91, timestamp: started + 1, step: 0 });
    await wire.post('runs/log-batch', {
      run_id: runId,
      metrics: [
        { key: 'accuracy', value: 0.93, timestamp: started + 2, step: 1 },
        { key: 'f1', value: 0.9, timestamp: started + 2, step: 1 },
      ],
      params: [],
      tags: [],
    });
    await wire.post('runs/log-batch', {
      run_id: runId,
      metrics: Array.from({ length: 50 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1), timestamp: started + 3, step })),
      params: [{ key: 'seed', value: '42' }],
      tags: [{ key: 'dataset', value: 'churn-v3' }],
    });
    await wire.post('runs/set-tag', { run_id: runId, run_uuid: runId, key: 'stage', value: 'dev' });

    // log_artifact and log_dict: the client reads the run's artifact_uri, then PUTs through the proxy.
    const { run: beforeUpload } = await wire.get<{ run: RunJson }>('runs/get', { run_id: runId });
    expect(beforeUpload.info.artifact_uri).toBe(`mlflow-artifacts:/${runRoot}`);
    await wire.upload(`${runRoot}/notes.txt`, 'first run\n', 'text/plain');
    await wire.get('runs/get', { run_id: runId });
    await wire.upload(`${runRoot}/config/cfg.json`, '{"max_depth": 5}', 'application/json');

    // mlflow.sklearn.log_model(model, "model"): the model directory under the run, then runs/log-model.
    await wire.get('runs/get', { run_id: runId });
    const modelFiles = sklearnModelFiles(runId, 'model');
    for (const [name, bytes] of Object.entries(modelFiles)) await wire.upload(`${runRoot}/model/${name}`, bytes);
    const modelJson = {
      artifact_path: 'model',
      flavors: { python_function: { loader_module: 'mlflow.sklearn', model_path: 'model.pkl' }, sklearn: { pickled_model: 'model.pkl', sklearn_version: '1.5.2' } },
      run_id: runId,
      utc_time_created: '2026-01-01 12:00:00.000000',
      model_uuid: '0b6f1c44e1f04b7e9c3a2d5e8f7a6b5c',
      mlflow_version: '2.22.1',
    };
    expect(await wire.post('runs/log-model', { run_id: runId, model_json: JSON.stringify(modelJson) })).toEqual({});

    // end_run
    const ended = started + 10_000;
    const { run_info } = await wire.post<{ run_info: Record<string, unknown> }>('runs/update', { run_id: runId, run_uuid: runId, status: 'FINISHED', end_time: ended });
    expect(run_info).toMatchObject({ run_id: runId, status: 'FINISHED', end_time: ended, lifecycle_stage: 'active' });

    // The whole run as runs/get shows it: latest metric per key by (step, timestamp, value); the model history tag.
    const { run } = await wire.get<{ run: RunJson }>('runs/get', { run_id: runId });
    expect(run.info).toMatchObject({ status: 'FINISHED', end_time: ended, run_name: 'rf' });
    expect(run.data.metrics).toEqual([
      { key: 'accuracy', value: 0.93, timestamp: started + 2, step: 1 },
      { key: 'f1', value: 0.9, timestamp: started + 2, step: 1 },
      { key: 'loss', value: 1 / 50, timestamp: started + 3, step: 49 },
    ]);
    expect(run.data.params).toEqual([
      { key: 'criterion', value: 'gini' },
      { key: 'max_depth', value: '5' },
      { key: 'n_estimators', value: '100' },
      { key: 'seed', value: '42' },
    ]);
    const tags = Object.fromEntries((run.data.tags ?? []).map((tag) => [tag.key, tag.value]));
    expect(tags).toMatchObject({ dataset: 'churn-v3', stage: 'dev', 'mlflow.runName': 'rf', 'mlflow.user': 'alice' });
    expect(JSON.parse(tags['mlflow.log-model.history'])).toEqual([modelJson]);

    // mlflow.register_model("runs:/<run>/model", "churn-2x"): the 2.x client resolves the source itself.
    const { registered_model } = await wire.post<{ registered_model: Record<string, unknown> }>('registered-models/create', { name: 'churn-2x' });
    expect(registered_model).toMatchObject({ name: 'churn-2x', creation_timestamp: expect.any(Number), last_updated_timestamp: expect.any(Number) });
    const { run: forSource } = await wire.get<{ run: RunJson }>('runs/get', { run_id: runId });
    const source = `${forSource.info.artifact_uri}/model`;
    const { model_version: v1 } = await wire.post<{ model_version: Record<string, unknown> }>('model-versions/create', { name: 'churn-2x', source, run_id: runId });
    expect(v1).toMatchObject({ name: 'churn-2x', version: '1', current_stage: 'None', source, run_id: runId, status: 'READY', run_link: '' });
    // Registering again: create is refused with 400 RESOURCE_ALREADY_EXISTS, and the client goes on.
    const duplicate = await wire.refused('POST', 'registered-models/create', 400, { body: { name: 'churn-2x' } });
    expect(duplicate).toEqual({ error_code: 'RESOURCE_ALREADY_EXISTS', message: 'Registered Model (name=churn-2x) already exists.' });
    await wire.get('runs/get', { run_id: runId });
    const { model_version: v2 } = await wire.post<{ model_version: Record<string, unknown> }>('model-versions/create', { name: 'churn-2x', source, run_id: runId });
    expect(v2.version).toBe('2');

    // transition_model_version_stage (deprecated, still sent), set alias, get by alias.
    const { model_version: staged } = await wire.post<{ model_version: Record<string, unknown> }>('model-versions/transition-stage', {
      name: 'churn-2x',
      version: '1',
      stage: 'Staging',
      archive_existing_versions: false,
    });
    expect(staged).toMatchObject({ version: '1', current_stage: 'Staging' });
    expect(await wire.post('registered-models/alias', { name: 'churn-2x', alias: 'champion', version: '1' })).toEqual({});
    const byAlias = await wire.get<{ model_version: Record<string, unknown> }>('registered-models/alias', { name: 'churn-2x', alias: 'champion' });
    expect(byAlias.model_version).toMatchObject({ name: 'churn-2x', version: '1', current_stage: 'Staging', aliases: ['champion'], source });
    const { registered_model: withVersions } = await wire.get<{ registered_model: { latest_versions: { version: string; current_stage: string }[]; aliases: unknown } }>(
      'registered-models/get',
      { name: 'churn-2x' },
    );
    // One latest version per stage (in no particular order).
    expect(withVersions.latest_versions.map((v) => [v.current_stage, v.version]).sort()).toEqual([
      ['None', '2'],
      ['Staging', '1'],
    ]);
    expect(withVersions.aliases).toEqual([{ alias: 'champion', version: '1' }]);

    // mlflow.search_runs(filter_string=..., order_by=...): one page, no token on the last.
    const found = await wire.post<{ runs?: RunJson[]; next_page_token?: string }>('runs/search', {
      experiment_ids: [exp],
      filter: "metrics.accuracy > 0.9 and params.criterion = 'gini' and attributes.status = 'FINISHED'",
      run_view_type: 'ACTIVE_ONLY',
      max_results: 1000,
      order_by: ['metrics.accuracy DESC'],
    });
    expect(found.runs?.map((r) => r.info.run_id)).toEqual([runId]);
    expect(found.next_page_token).toBeUndefined();

    // client.get_metric_history: always max_results=25000, paged with page_token.
    const history = await wire.get<{ metrics: Record<string, unknown>[]; next_page_token?: string }>('metrics/get-history', { run_id: runId, metric_key: 'accuracy', max_results: 25000 });
    expect(history).toEqual({
      metrics: [
        { key: 'accuracy', value: 0.91, timestamp: started + 1, step: 0 },
        { key: 'accuracy', value: 0.93, timestamp: started + 2, step: 1 },
      ],
    });

    // client.list_artifacts(run_id) and list_artifacts(run_id, "model"): run_get, then the proxy's listing.
    await wire.get('runs/get', { run_id: runId });
    expect(await wire.listArtifacts(runRoot)).toEqual({
      files: [
        { path: 'config', is_dir: true },
        { path: 'model', is_dir: true },
        { path: 'notes.txt', is_dir: false, file_size: 10 },
      ],
    });
    expect(await wire.get('artifacts/list', { run_id: runId, path: 'config' })).toEqual({
      root_uri: `mlflow-artifacts:/${runRoot}`,
      files: [{ path: 'config/cfg.json', is_dir: false, file_size: 16 }],
    });

    // mlflow.pyfunc.load_model("models:/churn-2x@champion"): alias → download URI → list → download each file.
    await wire.get('registered-models/alias', { name: 'churn-2x', alias: 'champion' });
    const { artifact_uri } = await wire.get<{ artifact_uri: string }>('model-versions/get-download-uri', { name: 'churn-2x', version: '1' });
    expect(artifact_uri).toBe(source);
    const modelDir = artifact_uri.replace('mlflow-artifacts:/', '');
    const listing = await wire.listArtifacts(modelDir);
    expect(listing.files?.map((file) => [file.path, file.file_size])).toEqual(Object.keys(modelFiles).sort().map((name) => [name, modelFiles[name].length]));
    for (const file of listing.files ?? []) expect((await wire.download(`${modelDir}/${file.path}`)).equals(modelFiles[file.path])).toBe(true);

    expect(wire.log.slice(0, 12)).toEqual([
      'GET /api/2.0/mlflow/experiments/get-by-name',
      'POST /api/2.0/mlflow/experiments/create',
      'GET /api/2.0/mlflow/experiments/get',
      'POST /api/2.0/mlflow/runs/create',
      'POST /api/2.0/mlflow/runs/log-parameter',
      'POST /api/2.0/mlflow/runs/log-batch',
      'POST /api/2.0/mlflow/runs/log-metric',
      'POST /api/2.0/mlflow/runs/log-batch',
      'POST /api/2.0/mlflow/runs/log-batch',
      'POST /api/2.0/mlflow/runs/set-tag',
      'GET /api/2.0/mlflow/runs/get',
      `PUT /api/2.0/mlflow-artifacts/artifacts/${runRoot}/notes.txt`,
    ]);
    // Every write was stored as events of the run (in order), of the model, and of the artifacts.
    const runEvents = await t.app.backend.store.readStream(`run-${runId}`);
    expect(runEvents.map((e) => e.type)).toEqual([
      'RunCreated',
      'ParamsLogged',
      'ParamsLogged',
      'MetricsLogged',
      'MetricsLogged',
      'ParamsLogged',
      'RunTagsSet',
      'MetricsLogged',
      'RunTagsSet',
      'RunTagsSet',
      'RunUpdated',
    ]);
    const artifactEvents = await t.app.backend.store.readStream(`artifacts-${exp}`);
    expect(artifactEvents.map((e) => (e.data as { path: string }).path)).toEqual([
      `${runRoot}/notes.txt`,
      `${runRoot}/config/cfg.json`,
      ...Object.keys(modelFiles).map((name) => `${runRoot}/model/${name}`),
    ]);
  });

  it("answers the mistakes a script makes as in MLflow's error table (§1.6), status and body", async () => {
    const { experiment_id: exp } = await wire.post<{ experiment_id: string }>('experiments/create', { name: 'mistakes-2x' });
    const { run } = await wire.post<{ run: RunJson }>('runs/create', { experiment_id: exp, start_time: Date.now(), tags: [] });
    const runId = run.info.run_id;
    const expectError = async (method: string, endpoint: string, status: number, options: { query?: Record<string, string>; body?: unknown }, code: string, message: string | RegExp) => {
      const body = await wire.refused(method, endpoint, status, options);
      expect(body.error_code).toBe(code);
      if (typeof message === 'string') expect(body.message).toBe(message);
      else expect(body.message).toMatch(message);
    };
    await expectError('GET', 'runs/get', 404, { query: { run_id: 'nope' } }, 'RESOURCE_DOES_NOT_EXIST', 'Run with id=nope not found');
    await expectError('GET', 'experiments/get-by-name', 404, { query: { experiment_name: 'zzz' } }, 'RESOURCE_DOES_NOT_EXIST', "Could not find experiment with name 'zzz'");
    await expectError('POST', 'experiments/create', 400, { body: { name: 'mistakes-2x' } }, 'RESOURCE_ALREADY_EXISTS', 'Experiment(name=mistakes-2x) already exists.');
    await expectError('POST', 'experiments/create', 400, { body: {} }, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'name'. See the API docs for more information about request parameters.");
    await expectError('POST', 'runs/search', 400, { body: { experiment_ids: [exp], filter: 'metrics.accuracy >> 3' } }, 'INVALID_PARAMETER_VALUE', /^Invalid comparator '>>' not one of '\{/);
    await expectError(
      'POST',
      'runs/log-metric',
      400,
      { body: { run_id: runId, key: 'm', value: 'notnum', timestamp: 1 } },
      'INVALID_PARAMETER_VALUE',
      `Invalid value "notnum" for parameter 'value' supplied: Hint: Value was of type 'str'. See the API docs for more information about request parameters.`,
    );
    await wire.post('runs/log-parameter', { run_id: runId, key: 'p', value: 'a' });
    await expectError(
      'POST',
      'runs/log-parameter',
      400,
      { body: { run_id: runId, key: 'p', value: 'b' } },
      'INVALID_PARAMETER_VALUE',
      `Changing param values is not allowed. Param with key='p' was already logged with value='a' for run ID='${runId}'. Attempted logging new value 'b'.`,
    );
    const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: 'v' }));
    await expectError('POST', 'runs/log-batch', 400, { body: { run_id: runId, params } }, 'INVALID_PARAMETER_VALUE', /^A batch logging request can contain at most 100 params. Got 101 params/);
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }));
    await expectError('POST', 'runs/log-batch', 400, { body: { run_id: runId, metrics } }, 'INVALID_PARAMETER_VALUE', /at most 1000 metrics/);
    await expectError('POST', 'runs/log-metric', 400, { body: { run_id: runId, key: '../x', value: 1, timestamp: 1 } }, 'INVALID_PARAMETER_VALUE', /This name would resolve to '\.\.\/x'/);
    await expectError('GET', 'runs/get', 400, {}, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.");
    // 2.x log_model with a malformed model JSON (the client swallows it with a warning).
    await expectError('POST', 'runs/log-model', 400, { body: { run_id: runId, model_json: '{"artifact_path": "model"}' } }, 'INVALID_PARAMETER_VALUE', "Model json is missing mandatory fields: {'flavors', 'run_id', 'utc_time_created'}");

    await wire.post('runs/delete', { run_id: runId });
    await expectError('POST', 'runs/log-metric', 400, { body: { run_id: runId, key: 'm', value: 1, timestamp: 1 } }, 'INVALID_PARAMETER_VALUE', `The run ${runId} must be in the 'active' state. Current state is deleted.`);
    await wire.post('experiments/delete', { experiment_id: exp });
    await expectError('POST', 'runs/create', 400, { body: { experiment_id: exp } }, 'INVALID_PARAMETER_VALUE', `The experiment ${exp} must be in the 'active' state. Current state is deleted.`);
    // A deleted experiment's name stays taken.
    await expectError('POST', 'experiments/create', 400, { body: { name: 'mistakes-2x' } }, 'RESOURCE_ALREADY_EXISTS', 'Experiment(name=mistakes-2x) already exists.');
  });
});

interface RunJson {
  info: { run_id: string; artifact_uri: string; [field: string]: unknown };
  data: { metrics?: unknown[]; params?: unknown[]; tags?: { key: string; value: string }[] };
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}
