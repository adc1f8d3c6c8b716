import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowRestClient, type MlflowErrorBody, type RunJson } from './support/mlflowRestClient.ts';
import { startTestApp, type TestApp } from './support/testApp.ts';

interface LoggedModelJson {
  info: {
    model_id: string;
    experiment_id: string;
    name: string;
    creation_timestamp_ms: number;
    last_updated_timestamp_ms: number;
    artifact_uri: string;
    status: string;
    model_type?: string;
    source_run_id?: string;
    tags?: { key: string; value: string }[];
  };
  data: { params?: { key: string; value: string }[] };
}
interface SearchAnswer {
  models?: LoggedModelJson[];
  next_page_token?: string;
}
interface RunWithIo extends RunJson {
  outputs: { model_outputs?: { model_id: string; step: number }[] };
  inputs: { dataset_inputs?: { tags?: { key: string; value: string }[]; dataset: Record<string, string> }[]; model_inputs?: { model_id: string }[] };
}

/** MLflow 3's logged-models API, run inputs/outputs and the 2.x log-model, over real HTTP. */
describe('MLflow REST: logged models, run inputs and outputs', () => {
  let t: TestApp;
  let mlflow: MlflowRestClient;
  let experimentId: string;
  let runId: string;

  beforeAll(async () => {
    t = await startTestApp({ user: 'server-actor' });
    mlflow = new MlflowRestClient(t.url);
    experimentId = (await mlflow.setExperiment('logged-models')).experiment_id;
    runId = (await mlflow.startRun(experimentId, 'train')).info.run_id;
  });
  afterAll(() => t?.close());

  const call = async <T = Record<string, unknown>>(method: string, endpoint: string, body?: unknown) => {
    const answer = await mlflow.send<T>(method, `/api/2.0/mlflow/${endpoint}`, body === undefined ? undefined : JSON.stringify(body));
    if (answer.status !== 200) throw new Error(`${method} ${endpoint} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  async function refused(answer: Promise<{ status: number; body: unknown }>, status: number, code: string, message: RegExp | string) {
    const { status: actual, body } = await answer;
    expect({ status: actual, body }).toMatchObject({ status, body: { error_code: code } });
    const text = (body as MlflowErrorBody).message;
    if (typeof message === 'string') expect(text).toBe(message);
    else expect(text).toMatch(message);
  }
  const createModel = async (body: Record<string, unknown>) => (await call<{ model: LoggedModelJson }>('POST', 'logged-models', { experiment_id: experimentId, ...body })).model;
  const search = (body: Record<string, unknown>) => call<SearchAnswer>('POST', 'logged-models/search', { experiment_ids: [experimentId], ...body });

  it('creates a PENDING model under the experiment, finalizes it, tags it, and records every step as an event', async () => {
    const before = Date.now();
    const model = await createModel({
      name: 'model',
      model_type: 'sklearn',
      source_run_id: runId,
      params: [{ key: 'alpha', value: '0.5' }],
      tags: [{ key: 'mlflow.source.type', value: 'LOCAL' }],
    });
    const id = model.info.model_id;
    expect(id).toMatch(/^m-[0-9a-f]{32}$/);
    expect(model).toEqual({
      info: {
        model_id: id,
        experiment_id: experimentId,
        name: 'model',
        creation_timestamp_ms: model.info.creation_timestamp_ms,
        last_updated_timestamp_ms: model.info.creation_timestamp_ms,
        artifact_uri: `mlflow-artifacts:/${experimentId}/models/${id}/artifacts`,
        status: 'LOGGED_MODEL_PENDING',
        model_type: 'sklearn',
        source_run_id: runId,
        tags: [{ key: 'mlflow.source.type', value: 'LOCAL' }],
      },
      data: { params: [{ key: 'alpha', value: '0.5' }] },
    });
    expect(model.info.creation_timestamp_ms).toBeGreaterThanOrEqual(before);

    // The 3.x client sends the status by name; proto numbers work too.
    const ready = await call<{ model: LoggedModelJson }>('PATCH', `logged-models/${id}`, { model_id: id, status: 'LOGGED_MODEL_READY' });
    expect(ready.model.info.status).toBe('LOGGED_MODEL_READY');
    expect(ready.model.info.last_updated_timestamp_ms).toBeGreaterThanOrEqual(model.info.creation_timestamp_ms);
    const tagged = await call<{ model: LoggedModelJson }>('PATCH', `logged-models/${id}/tags`, { tags: [{ key: 'b', value: '2' }, { key: 'a', value: '1' }] });
    expect(tagged.model.info.tags?.map((tag) => tag.key)).toEqual(['a', 'b', 'mlflow.source.type']);
    expect(await call('DELETE', `logged-models/${id}/tags/b`)).toEqual({});
    await call('POST', `logged-models/${id}/params`, { params: [{ key: 'beta', value: '3' }, { key: 'alpha', value: '0.5' }] });

    const { model: got } = await mlflow.read<{ model: LoggedModelJson }>(`logged-models/${id}`);
    expect(got.info.tags).toEqual([{ key: 'a', value: '1' }, { key: 'mlflow.source.type', value: 'LOCAL' }]);
    expect(got.data.params).toEqual([{ key: 'alpha', value: '0.5' }, { key: 'beta', value: '3' }]);
    expect(await mlflow.withPrefix('/ajax-api/2.0/mlflow/').read(`logged-models/${id}`)).toEqual({ model: got });

    const events = await t.app.backend.store.readStream(`logged-model-${id}`);
    expect(events.map((event) => event.type)).toEqual(['LoggedModelCreated', 'LoggedModelFinalized', 'LoggedModelTagsSet', 'LoggedModelTagDeleted', 'LoggedModelParamsLogged']);
    expect(events.every((event) => event.metadata.actor === 'server-actor')).toBe(true);
    expect(events[4].data).toEqual({ modelId: id, params: [{ key: 'beta', value: '3' }] });
  });

  it('refuses bad requests with MLflow error codes and appends nothing', async () => {
    const { model } = await call<{ model: LoggedModelJson }>('POST', 'logged-models', { experiment_id: experimentId });
    expect(model.info.name).toMatch(/^[a-z]+-[a-z]+-\d+$/); // a generated name, as MLflow gives one
    const id = model.info.model_id;
    const head = await t.app.backend.store.headPosition();

    await refused(mlflow.post('logged-models', {}), 400, 'INVALID_PARAMETER_VALUE', /Missing value for required parameter 'experiment_id'/);
    await refused(mlflow.post('logged-models', { experiment_id: '999' }), 404, 'RESOURCE_DOES_NOT_EXIST', /999/);
    await refused(mlflow.post('logged-models', { experiment_id: experimentId, name: 'a/b' }), 400, 'INVALID_PARAMETER_VALUE', /Invalid model name \('a\/b'\)/);
    await refused(mlflow.post('logged-models', { experiment_id: experimentId, name: 'x'.repeat(501) }), 400, 'INVALID_PARAMETER_VALUE', /maximum length of 500/);
    await refused(mlflow.post('logged-models', { experiment_id: experimentId, tags: [{ key: '../x', value: '1' }] }), 400, 'INVALID_PARAMETER_VALUE', /resolve to/);
    await refused(mlflow.send('GET', '/api/2.0/mlflow/logged-models/m-00000000000000000000000000000000'), 404, 'RESOURCE_DOES_NOT_EXIST', "Logged model with ID 'm-00000000000000000000000000000000' not found.");
    await refused(mlflow.send('PATCH', '/api/2.0/mlflow/logged-models/nope', '{"status": "LOGGED_MODEL_READY"}'), 404, 'RESOURCE_DOES_NOT_EXIST', "Logged model with ID 'nope' not found.");
    await refused(mlflow.send('PATCH', `/api/2.0/mlflow/logged-models/${id}`, '{}'), 400, 'INVALID_PARAMETER_VALUE', /Missing value for required parameter 'status'/);
    await refused(mlflow.send('PATCH', `/api/2.0/mlflow/logged-models/${id}`, '{"status": "LOGGED_MODEL_STATUS_UNSPECIFIED"}'), 400, 'INVALID_PARAMETER_VALUE', /'status'/);
    await refused(mlflow.send('DELETE', `/api/2.0/mlflow/logged-models/${id}/tags/missing`), 404, 'RESOURCE_DOES_NOT_EXIST', `No tag with key 'missing' found for model with ID '${id}'.`);
    await call('POST', `logged-models/${id}/params`, { params: [{ key: 'p', value: '1' }] });
    const afterParam = await t.app.backend.store.headPosition();
    await refused(mlflow.post(`logged-models/${id}/params`, { params: [{ key: 'p', value: '2' }] }), 400, 'INVALID_PARAMETER_VALUE', /Changing param values is not allowed/);
    await refused(mlflow.post('logged-models/search', {}), 400, 'INVALID_PARAMETER_VALUE', /Missing value for required parameter 'experiment_ids'/);
    await refused(mlflow.send('PUT', `/api/2.0/mlflow/logged-models/${id}`, '{}'), 405, 'BAD_REQUEST', /use GET, PATCH, DELETE/);
    expect(await t.app.backend.store.headPosition()).toBe(afterParam);
    expect(afterParam).not.toBe(head);
  });

  it('deletes softly: get and search no longer show the model, allow_deleted=true does', async () => {
    const model = await createModel({ name: 'doomed' });
    const id = model.info.model_id;
    expect(await call('DELETE', `logged-models/${id}`)).toEqual({});
    await refused(mlflow.get(`logged-models/${id}`), 404, 'RESOURCE_DOES_NOT_EXIST', `Logged model with ID '${id}' not found.`);
    const withDeleted = await mlflow.read<{ model: LoggedModelJson }>(`logged-models/${id}`, { allow_deleted: 'true' });
    expect(withDeleted.model.info.name).toBe('doomed');
    expect((await search({ filter: "name = 'doomed'" })).models).toBeUndefined();
    expect(await call('DELETE', `logged-models/${id}`)).toEqual({}); // again: nothing to do
  });

  it('searches with MLflow 3 filters, OrderBy messages and page tokens bound to the request', async () => {
    const other = (await mlflow.setExperiment('logged-models-other')).experiment_id;
    const made: LoggedModelJson[] = [];
    for (const [name, type] of [['search-a', 'sklearn'], ['search-b', 'pytorch'], ['search-c', 'sklearn']]) {
      made.push(await createModel({ name, model_type: type, params: [{ key: 'lr', value: name === 'search-b' ? '0.1' : '0.01' }], tags: [{ key: 'team', value: 'ml' }] }));
    }
    await call('POST', 'logged-models', { experiment_id: other, name: 'search-a' });
    await call('PATCH', `logged-models/${made[1].info.model_id}`, { status: 2 });
    const names = (answer: SearchAnswer) => answer.models?.map((m) => m.info.name);

    expect(names(await search({ filter: "name LIKE 'search-%' AND model_type = 'sklearn'", order_by: [{ field_name: 'name', ascending: false }] }))).toEqual(['search-c', 'search-a']);
    expect(names(await search({ filter: "params.lr = '0.1'" }))).toEqual(['search-b']);
    expect(names(await search({ filter: "tags.team = 'ml' AND status = 'LOGGED_MODEL_READY'" }))).toEqual(['search-b']);
    expect(names(await search({ filter: `attributes.creation_timestamp >= ${made[1].info.creation_timestamp_ms} AND name ILIKE 'SEARCH-%'`, order_by: [{ field_name: 'creation_time' }] }))).toEqual([
      'search-b',
      'search-c',
    ]);
    // The client's lookup for register_model: experiment ids and a name; models of other experiments stay out.
    expect((await search({ filter: "name = 'search-a'" })).models?.map((m) => m.info.model_id)).toEqual([made[0].info.model_id]);
    // These models have no metrics, so metric filters and dataset filters match none of them.
    expect((await search({ filter: 'metrics.acc > 0.5' })).models).toBeUndefined();
    expect((await search({ datasets: [{ dataset_name: 'train' }] })).models).toBeUndefined();

    // Default order: newest first; pages carry the request in their token.
    const first = await search({ filter: "name LIKE 'search-%'", max_results: 2 });
    expect(names(first)).toEqual(['search-c', 'search-b']);
    expect(first.next_page_token).toBeDefined();
    const second = await search({ filter: "name LIKE 'search-%'", max_results: 2, page_token: first.next_page_token });
    expect(names(second)).toEqual(['search-a']);
    expect(second.next_page_token).toBeUndefined();
    await refused(mlflow.post('logged-models/search', { experiment_ids: [experimentId], filter: "name = 'x'", page_token: first.next_page_token }), 400, 'INVALID_PARAMETER_VALUE', /Filter string in the page token does not match/);

    await refused(mlflow.post('logged-models/search', { experiment_ids: [experimentId], filter: 'name > 3' }), 400, 'INVALID_PARAMETER_VALUE', /Invalid comparison operator for attributes.name: '>'/);
    await refused(mlflow.post('logged-models/search', { experiment_ids: [experimentId], filter: 'colour = 1' }), 400, 'INVALID_PARAMETER_VALUE', /Invalid attribute key 'colour'/);
    await refused(mlflow.post('logged-models/search', { experiment_ids: [experimentId], filter: "name = 'a' OR name = 'b'" }), 400, 'INVALID_PARAMETER_VALUE', /separated by 'AND'/);
    await refused(mlflow.post('logged-models/search', { experiment_ids: [experimentId], order_by: [{ field_name: 'params.lr' }] }), 400, 'INVALID_PARAMETER_VALUE', 'Invalid order by field name: params, only `metrics.<name>` is allowed.');
    await refused(mlflow.post('logged-models/search', { experiment_ids: [experimentId], order_by: [{ ascending: true }] }), 400, 'INVALID_PARAMETER_VALUE', '`field_name` in the `order_by` clause must be specified.');
  });

  it('lists a logged model\'s artifacts under its own location and serves its files on the UI route', async () => {
    const model = await createModel({ name: 'with-files' });
    const root = model.info.artifact_uri.replace('mlflow-artifacts:/', '');
    await fetch(`${t.url}/api/2.0/mlflow-artifacts/artifacts/${root}/MLmodel`, { method: 'PUT', body: 'flavors: {}\n' });
    await fetch(`${t.url}/api/2.0/mlflow-artifacts/artifacts/${root}/data/model.pkl`, { method: 'PUT', body: Buffer.from([1, 2, 3]) });
    const id = model.info.model_id;
    expect(await mlflow.read(`logged-models/${id}/artifacts/directories`)).toEqual({
      root_uri: model.info.artifact_uri,
      files: [{ path: 'MLmodel', is_dir: false, file_size: 12 }, { path: 'data', is_dir: true }],
    });
    expect(await mlflow.read(`logged-models/${id}/artifacts/directories`, { artifact_directory_path: 'data' })).toEqual({
      root_uri: model.info.artifact_uri,
      files: [{ path: 'data/model.pkl', is_dir: false, file_size: 3 }],
    });
    const file = await fetch(`${t.url}/ajax-api/2.0/mlflow/logged-models/${id}/artifacts/files?artifact_file_path=data/model.pkl`);
    expect([file.status, [...Buffer.from(await file.arrayBuffer())]]).toEqual([200, [1, 2, 3]]);
    await refused(mlflow.get(`logged-models/${id}/artifacts/directories`, { artifact_directory_path: '../x' }), 400, 'INVALID_PARAMETER_VALUE', /Invalid artifact path/);
    await refused(mlflow.get('logged-models/m-00000000000000000000000000000000/artifacts/directories'), 404, 'RESOURCE_DOES_NOT_EXIST', /not found/);
  });

  it('records run outputs and inputs and shows them in runs/get and runs/search', async () => {
    const run = (await mlflow.startRun(experimentId, 'io')).info.run_id;
    const model = await createModel({ name: 'io-model', source_run_id: run });
    const id = model.info.model_id;
    expect(await call('POST', 'runs/outputs', { run_id: run, models: [{ model_id: id, step: 3 }] })).toEqual({});
    await call('POST', 'runs/outputs', { run_id: run, models: [{ model_id: id, step: 3 }] }); // a retry adds nothing
    const dataset = { name: 'iris', digest: 'abc123', source_type: 'local', source: '{"uri": "/data/iris.csv"}', schema: '{"mlflow_colspec": []}' };
    expect(await call('POST', 'runs/log-inputs', { run_id: run, datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }], models: [{ model_id: id }] })).toEqual({});
    // The same dataset again keeps its first tags, as in MLflow.
    await call('POST', 'runs/log-inputs', { run_id: run, datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'eval' }], dataset }] });

    const { run: got } = await mlflow.read<{ run: RunWithIo }>('runs/get', { run_id: run });
    expect(got.outputs).toEqual({ model_outputs: [{ model_id: id, step: 3 }] });
    expect(got.inputs).toEqual({
      dataset_inputs: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }],
      model_inputs: [{ model_id: id }],
    });
    const searched = await mlflow.ok<{ runs: RunWithIo[] }>('runs/search', { experiment_ids: [experimentId], filter: "attributes.run_name = 'io'" });
    expect(searched.runs[0].inputs).toEqual(got.inputs);
    expect((await t.app.backend.store.readStream(`run-${run}`)).map((e) => e.type)).toEqual(['RunCreated', 'RunOutputsLogged', 'RunInputsLogged']);

    await refused(mlflow.post('runs/outputs', { run_id: run }), 400, 'INVALID_PARAMETER_VALUE', /Missing value for required parameter 'models'/);
    await refused(mlflow.post('runs/outputs', { run_id: run, models: [{ model_id: 'm-ffffffffffffffffffffffffffffffff' }] }), 404, 'RESOURCE_DOES_NOT_EXIST', /not found/);
    await refused(mlflow.post('runs/log-inputs', { run_id: run, datasets: [{ dataset: { ...dataset, digest: 'd'.repeat(37) } }] }), 400, 'INVALID_PARAMETER_VALUE', /datasets\[0\]|Dataset digest exceeds the maximum length of 36/);
    await refused(mlflow.post('runs/log-inputs', { run_id: run, datasets: [{ tags: [] }] }), 400, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'datasets[0].dataset'. See the API docs for more information about request parameters.");
    await refused(mlflow.post('runs/log-inputs', { run_id: run, datasets: [{ dataset: { name: 'x', digest: 'y', source: 's' } }] }), 400, 'INVALID_PARAMETER_VALUE', /'datasets\[0\]\.dataset\.source_type'/);
    await refused(mlflow.post('runs/log-inputs', { datasets: [] }), 400, 'INVALID_PARAMETER_VALUE', /'run_id'/);
    await mlflow.ok('runs/delete', { run_id: run });
    await refused(mlflow.post('runs/outputs', { run_id: run, models: [{ model_id: id }] }), 400, 'INVALID_PARAMETER_VALUE', /must be in the 'active' state/);
  });

  it('runs/log-model (2.x) appends the model JSON to the mlflow.log-model.history tag, as MLflow stores it', async () => {
    const run = (await mlflow.startRun(experimentId, 'two-x')).info.run_id;
    const model = { run_id: run, artifact_path: 'model', utc_time_created: '2026-01-01 00:00:00.000000', flavors: { sklearn: { pickled_model: 'model.pkl', sklearn_version: '1.5.0' } }, model_uuid: 'u1' };
    expect(await call('POST', 'runs/log-model', { run_id: run, model_json: JSON.stringify(model) })).toEqual({});
    await call('POST', 'runs/log-model', { run_id: run, model_json: JSON.stringify({ ...model, artifact_path: 'second', model_uuid: 'é' }) });
    const { run: got } = await mlflow.read<{ run: RunJson }>('runs/get', { run_id: run });
    const history = got.data.tags?.find((tag) => tag.key === 'mlflow.log-model.history')?.value ?? '';
    // Python's json.dumps layout: ", " and ": " separators, non-ASCII escaped.
    expect(history).toBe(
      `[{"run_id": "${run}", "artifact_path": "model", "utc_time_created": "2026-01-01 00:00:00.000000", "flavors": {"sklearn": {"pickled_model": "model.pkl", "sklearn_version": "1.5.0"}}, "model_uuid": "u1"}, ` +
        `{"run_id": "${run}", "artifact_path": "second", "utc_time_created": "2026-01-01 00:00:00.000000", "flavors": {"sklearn": {"pickled_model": "model.pkl", "sklearn_version": "1.5.0"}}, "model_uuid": "\\u00e9"}]`,
    );
    expect(JSON.parse(history).map((m: { artifact_path: string }) => m.artifact_path)).toEqual(['model', 'second']);

    await refused(mlflow.post('runs/log-model', { run_id: run, model_json: '{not json' }), 400, 'INVALID_PARAMETER_VALUE', /Malformed model info/);
    await refused(mlflow.post('runs/log-model', { run_id: run, model_json: '{"run_id": "x"}' }), 400, 'INVALID_PARAMETER_VALUE', "Model json is missing mandatory fields: {'artifact_path', 'flavors', 'utc_time_created'}");
    await refused(mlflow.post('runs/log-model', { run_id: run }), 400, 'INVALID_PARAMETER_VALUE', /'model_json'/);
    await refused(mlflow.post('runs/log-model', { run_id: run, model_json: JSON.stringify({ ...model, big: 'x'.repeat(8000) }) }), 400, 'INVALID_PARAMETER_VALUE', /limit of 8000/);
    await refused(mlflow.post('runs/log-model', { run_id: 'f'.repeat(32), model_json: JSON.stringify(model) }), 404, 'RESOURCE_DOES_NOT_EXIST', `Run with id=${'f'.repeat(32)} not found`);
  });

  it('registers versions from logged models: models:/<id>, runs:/<run>/<name> (3.x) and the 2.x run layout', async () => {
    const run = (await mlflow.startRun(experimentId, 'to-register')).info.run_id;
    const model = await createModel({ name: 'clf', source_run_id: run });
    const id = model.info.model_id;
    await call('POST', 'runs/outputs', { run_id: run, models: [{ model_id: id, step: 0 }] });
    await mlflow.ok('registered-models/create', { name: 'reg-from-logged' });
    type Version = { model_version: { version: string; source: string; run_id: string; model_id?: string } };
    const downloadUri = async (version: string) => (await mlflow.read<{ artifact_uri: string }>('model-versions/get-download-uri', { name: 'reg-from-logged', version })).artifact_uri;

    const v1 = await mlflow.ok<Version>('model-versions/create', { name: 'reg-from-logged', source: `models:/${id}`, run_id: run, model_id: id });
    expect(v1.model_version).toMatchObject({ version: '1', source: `models:/${id}`, run_id: run, model_id: id });
    expect(await downloadUri('1')).toBe(model.info.artifact_uri);
    // Without run_id the logged model's source run is the version's run.
    const v2 = await mlflow.ok<Version>('model-versions/create', { name: 'reg-from-logged', source: `models:/${id}` });
    expect(v2.model_version.run_id).toBe(run);

    await mlflow.ok('model-versions/create', { name: 'reg-from-logged', source: `runs:/${run}/clf`, run_id: run });
    expect(await downloadUri('3')).toBe(model.info.artifact_uri);
    await mlflow.ok('model-versions/create', { name: 'reg-from-logged', source: `runs:/${run}/clf/sub/dir` });
    expect(await downloadUri('4')).toBe(`${model.info.artifact_uri}/sub/dir`);
    // No logged model by that name: the run's own artifacts (2.x layout).
    await mlflow.ok('model-versions/create', { name: 'reg-from-logged', source: `runs:/${run}/model` });
    expect(await downloadUri('5')).toBe(`mlflow-artifacts:/${experimentId}/${run}/artifacts/model`);
    // models:/<name>/<version> names a version's files.
    await mlflow.ok('model-versions/create', { name: 'reg-from-logged', source: 'models:/reg-from-logged/1' });
    expect(await downloadUri('6')).toBe(model.info.artifact_uri);

    await refused(mlflow.post('model-versions/create', { name: 'reg-from-logged', source: 'models:/m-00000000000000000000000000000000' }), 404, 'RESOURCE_DOES_NOT_EXIST', "Logged model with ID 'm-00000000000000000000000000000000' not found.");
    await refused(mlflow.post('model-versions/create', { name: 'reg-from-logged', source: `models:/${id}`, model_id: 'm-11111111111111111111111111111111' }), 400, 'INVALID_PARAMETER_VALUE', /does not match the logged model/);
    await refused(mlflow.post('model-versions/create', { name: 'reg-from-logged', source: 'models:/reg-from-logged/99' }), 404, 'RESOURCE_DOES_NOT_EXIST', /version=99/);
  });
});
