import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowRestClient, type MlflowErrorBody } from './support/mlflowRestClient.ts';
import { startTestApp, type TestApp } from './support/testApp.ts';

interface ModelVersionJson {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id: string;
  current_stage: string;
  description: string;
  source: string;
  run_id: string;
  status: string;
  run_link: string;
  tags?: { key: string; value: string }[];
  aliases?: string[];
}
interface RegisteredModelJson {
  name: string;
  description: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  latest_versions?: ModelVersionJson[];
  tags?: { key: string; value: string }[];
  aliases?: { alias: string; version: string }[];
}

describe('MLflow REST model registry', () => {
  let t: TestApp;
  let mlflow: MlflowRestClient;
  let runId: string;

  beforeAll(async () => {
    t = await startTestApp();
    mlflow = new MlflowRestClient(t.url);
    const experiment = await mlflow.setExperiment('registry-exp');
    runId = (await mlflow.startRun(experiment.experiment_id, 'train')).info.run_id;
  });
  afterAll(() => t?.close());

  const send = async <T = Record<string, unknown>>(method: string, endpoint: string, body: unknown) => {
    const answer = await mlflow.send<T>(method, `/api/2.0/mlflow/${endpoint}`, JSON.stringify(body));
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

  it('answers the calls of the mlflow client flow in its order', async () => {
    // register_model / create_registered_model; a second create is refused with 400 and the client goes on.
    const created = await mlflow.ok<{ registered_model: RegisteredModelJson }>('registered-models/create', { name: 'churn', tags: [{ key: 'team', value: 'ml' }] });
    expect(created.registered_model).toMatchObject({ name: 'churn', description: '', tags: [{ key: 'team', value: 'ml' }] });
    await refused(mlflow.post('registered-models/create', { name: 'churn' }), 400, 'RESOURCE_ALREADY_EXISTS', 'Registered Model (name=churn) already exists.');
    expect((await mlflow.read<{ registered_model: RegisteredModelJson }>('registered-models/get', { name: 'churn' })).registered_model.name).toBe('churn');

    // create_model_version from runs:/<run>/model: READY at once, linked to the run.
    const { model_version: v1 } = await mlflow.ok<{ model_version: ModelVersionJson }>('model-versions/create', {
      name: 'churn',
      source: `runs:/${runId}/model`,
      run_id: runId,
      description: 'first',
    });
    expect(v1).toMatchObject({ name: 'churn', version: '1', current_stage: 'None', status: 'READY', source: `runs:/${runId}/model`, run_id: runId, description: 'first', user_id: 'tester' });
    expect((await mlflow.read<{ model_version: ModelVersionJson }>('model-versions/get', { name: 'churn', version: '1' })).model_version.status).toBe('READY');

    // transition_model_version_stage (stage names are case-insensitive).
    const { model_version: staged } = await mlflow.ok<{ model_version: ModelVersionJson }>('model-versions/transition-stage', {
      name: 'churn',
      version: '1',
      stage: 'staging',
      archive_existing_versions: false,
    });
    expect(staged.current_stage).toBe('Staging');

    // set_registered_model_alias, then get_model_version_by_alias.
    expect(await mlflow.ok('registered-models/alias', { name: 'churn', alias: 'champion', version: '1' })).toEqual({});
    const byAlias = await mlflow.read<{ model_version: ModelVersionJson }>('registered-models/alias', { name: 'churn', alias: 'champion' });
    expect(byAlias.model_version).toMatchObject({ version: '1', aliases: ['champion'] });

    // set_model_version_tag, then search_model_versions.
    expect(await mlflow.ok('model-versions/set-tag', { name: 'churn', version: '1', key: 'validated', value: 'true' })).toEqual({});
    const found = await mlflow.read<{ model_versions: ModelVersionJson[] }>('model-versions/search', { filter: `name='churn'` });
    expect(found.model_versions).toHaveLength(1);
    expect(found.model_versions[0]).toMatchObject({ version: '1', tags: [{ key: 'validated', value: 'true' }], aliases: ['champion'] });

    // get_model_version_download_uri: the run's artifact location plus the path.
    const uri = await mlflow.read<{ artifact_uri: string }>('model-versions/get-download-uri', { name: 'churn', version: '1' });
    expect(uri.artifact_uri).toMatch(new RegExp(`^mlflow-artifacts:/\\d+/${runId}/artifacts/model$`));

    const model = (await mlflow.read<{ registered_model: RegisteredModelJson }>('registered-models/get', { name: 'churn' })).registered_model;
    expect(model.aliases).toEqual([{ alias: 'champion', version: '1' }]);
    expect(model.latest_versions?.map((v) => [v.current_stage, v.version])).toEqual([['Staging', '1']]);
  });

  it('renames, updates, tags, searches and deletes registered models and versions', async () => {
    await mlflow.ok('registered-models/create', { name: 'fraud-a', description: 'a' });
    await mlflow.ok('registered-models/create', { name: 'fraud-b', tags: [{ key: 'tier', value: 'gold' }] });
    await mlflow.ok('registered-models/create', { name: 'other' });
    const renamed = await send<{ registered_model: RegisteredModelJson }>('POST', 'registered-models/rename', { name: 'other', new_name: 'fraud-c' });
    expect(renamed.registered_model.name).toBe('fraud-c');
    const updated = await send<{ registered_model: RegisteredModelJson }>('PATCH', 'registered-models/update', { name: 'fraud-a', description: 'better' });
    expect(updated.registered_model.description).toBe('better');
    await mlflow.ok('registered-models/set-tag', { name: 'fraud-a', key: 'tier', value: 'silver' });
    await send('DELETE', 'registered-models/delete-tag', { name: 'fraud-b', key: 'tier' });

    const byLike = await mlflow.read<{ registered_models: RegisteredModelJson[]; next_page_token?: string }>('registered-models/search', {
      filter: "name LIKE 'fraud-%'",
      max_results: 2,
      order_by: 'name DESC',
    });
    expect(byLike.registered_models.map((m) => m.name)).toEqual(['fraud-c', 'fraud-b']);
    const page2 = await mlflow.read<{ registered_models: RegisteredModelJson[]; next_page_token?: string }>('registered-models/search', {
      filter: "name LIKE 'fraud-%'",
      max_results: 2,
      order_by: 'name DESC',
      page_token: byLike.next_page_token,
    });
    expect(page2.registered_models.map((m) => m.name)).toEqual(['fraud-a']);
    expect(page2.next_page_token).toBeUndefined();
    const byTag = await mlflow.read<{ registered_models: RegisteredModelJson[] }>('registered-models/search', { filter: "tags.tier = 'silver'" });
    expect(byTag.registered_models.map((m) => m.name)).toEqual(['fraud-a']);
    await refused(mlflow.get('registered-models/search', { filter: "name > 'a'" }), 400, 'INVALID_PARAMETER_VALUE', /Invalid comparator '>'/);

    for (let i = 0; i < 3; i++) await mlflow.ok('model-versions/create', { name: 'fraud-a', source: `s3://bucket/fraud/${i}` });
    await mlflow.ok('model-versions/transition-stage', { name: 'fraud-a', version: '1', stage: 'Production', archive_existing_versions: false });
    await mlflow.ok('model-versions/transition-stage', { name: 'fraud-a', version: '2', stage: 'Production', archive_existing_versions: true });
    const latest = await mlflow.ok<{ model_versions: ModelVersionJson[] }>('registered-models/get-latest-versions', { name: 'fraud-a', stages: ['production', 'Archived'] });
    expect(latest.model_versions.map((v) => [v.current_stage, v.version])).toEqual([
      ['Archived', '1'],
      ['Production', '2'],
    ]);
    const latestGet = await mlflow.read<{ model_versions: ModelVersionJson[] }>('registered-models/get-latest-versions', { name: 'fraud-a' });
    expect(latestGet.model_versions.map((v) => v.version)).toEqual(['1', '2', '3']);

    const versionSearch = await mlflow.read<{ model_versions: ModelVersionJson[] }>('model-versions/search', {
      filter: "name = 'fraud-a' AND version_number >= 2 AND source_path LIKE 's3://bucket/%'",
      order_by: 'version_number ASC',
    });
    expect(versionSearch.model_versions.map((v) => v.version)).toEqual(['2', '3']);
    const byRun = await mlflow.read<{ model_versions: ModelVersionJson[] }>('model-versions/search', { filter: `run_id IN ('${runId}', 'other')` });
    expect(byRun.model_versions.map((v) => `${v.name}/${v.version}`)).toEqual(['churn/1']);

    const updatedVersion = await send<{ model_version: ModelVersionJson }>('PATCH', 'model-versions/update', { name: 'fraud-a', version: '3', description: 'candidate' });
    expect(updatedVersion.model_version.description).toBe('candidate');
    await send('DELETE', 'model-versions/delete-tag', { name: 'fraud-a', version: '3', key: 'none' });
    await send('DELETE', 'model-versions/delete', { name: 'fraud-a', version: '3' });
    await refused(mlflow.get('model-versions/get', { name: 'fraud-a', version: '3' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=fraud-a, version=3) not found');
    await send('DELETE', 'registered-models/alias', { name: 'churn', alias: 'champion' });
    await refused(mlflow.get('registered-models/alias', { name: 'churn', alias: 'champion' }), 404, 'RESOURCE_DOES_NOT_EXIST', /alias champion not found/);
    await send('DELETE', 'registered-models/delete', { name: 'fraud-b' });
    await refused(mlflow.get('registered-models/get', { name: 'fraud-b' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=fraud-b not found');
  });

  it('refuses bad input with MLflow error codes', async () => {
    await refused(mlflow.post('registered-models/create', {}), 400, 'INVALID_PARAMETER_VALUE', /Missing value for required parameter 'name'/);
    await refused(mlflow.post('registered-models/create', { name: 'a/b' }), 400, 'INVALID_PARAMETER_VALUE', /cannot contain/);
    await refused(mlflow.post('model-versions/create', { name: 'churn' }), 400, 'INVALID_PARAMETER_VALUE', /Missing value for required parameter 'source'/);
    await refused(mlflow.post('model-versions/create', { name: 'nope', source: 's3://x' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=nope not found');
    await refused(mlflow.post('model-versions/transition-stage', { name: 'churn', version: '1', stage: 'Prod' }), 400, 'INVALID_PARAMETER_VALUE', /Invalid Model Version stage: Prod/);
    await refused(mlflow.get('model-versions/get', { name: 'churn', version: 'x' }), 400, 'INVALID_PARAMETER_VALUE', /version/);
    await refused(mlflow.post('registered-models/alias', { name: 'churn', alias: 'v1', version: '1' }), 400, 'INVALID_PARAMETER_VALUE', /reserved/);
    await refused(mlflow.get('registered-models/search', { max_results: 1001 }), 400, 'INVALID_PARAMETER_VALUE', /at most 1000/);
  });
});
