import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowRestClient, type ExperimentJson, type MetricJson, type MlflowErrorBody, type RunInfoJson, type RunJson } from './support/mlflowRestClient.ts';
import { startTestApp, type TestApp } from './support/testApp.ts';

/**
 * MLflow's REST tracking API against a real server, called as the mlflow Python
 * client calls it (see test/support/mlflowRestClient.ts).
 */
describe('MLflow REST API: the Python client flow', () => {
  let t: TestApp;
  let mlflow: MlflowRestClient;
  beforeAll(async () => {
    t = await startTestApp({ user: 'server-actor' });
    mlflow = new MlflowRestClient(t.url);
  });
  afterAll(() => t?.close());

  it('set_experiment, start_run, log_param/metric/batch, set_tag, end_run, get_run', async () => {
    const missing = await mlflow.get<MlflowErrorBody>('experiments/get-by-name', { experiment_name: 'flow' });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Could not find experiment with name 'flow'" });

    const experiment = await mlflow.setExperiment('flow');
    expect(experiment).toMatchObject({ name: 'flow', artifact_location: `mlflow-artifacts:/${experiment.experiment_id}`, lifecycle_stage: 'active' });
    expect(typeof experiment.creation_time).toBe('number');
    expect(experiment.tags).toBeUndefined(); // empty lists are left out, as MLflow does
    expect((await mlflow.setExperiment('flow')).experiment_id).toBe(experiment.experiment_id);

    const created = await mlflow.startRun(experiment.experiment_id, 'baseline');
    const runId = created.info.run_id;
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    expect(created.info).toMatchObject({
      run_uuid: runId,
      run_name: 'baseline',
      experiment_id: experiment.experiment_id,
      user_id: 'alice',
      status: 'RUNNING',
      artifact_uri: `mlflow-artifacts:/${experiment.experiment_id}/${runId}/artifacts`,
      lifecycle_stage: 'active',
    });
    expect(created.info.end_time).toBeUndefined();
    expect(created.inputs).toEqual({});

    await mlflow.ok('runs/log-parameter', { run_id: runId, run_uuid: runId, key: 'lr', value: '0.01' });
    await mlflow.ok('runs/log-metric', { run_id: runId, run_uuid: runId, key: 'loss', value: 0.9, timestamp: 1_700_000_000_000, step: 0 });
    await mlflow.ok('runs/log-batch', {
      run_id: runId,
      metrics: [
        { key: 'loss', value: 0.5, timestamp: 1_700_000_000_002, step: 2 },
        { key: 'loss', value: 0.7, timestamp: 1_700_000_000_001, step: 1 },
        { key: 'acc', value: 0.8, timestamp: 1_700_000_000_002, step: 2 },
      ],
      params: [{ key: 'batch_size', value: '32' }, { key: 'Optimizer', value: 'adam' }],
      tags: [{ key: 'phase', value: 'train' }],
    });
    await mlflow.ok('runs/set-tag', { run_id: runId, run_uuid: runId, key: 'note', value: '' });

    const ended = await mlflow.ok<{ run_info: RunInfoJson }>('runs/update', { run_id: runId, run_uuid: runId, status: 'FINISHED', end_time: 1_700_000_009_999 });
    expect(ended.run_info).toMatchObject({ run_id: runId, status: 'FINISHED', end_time: 1_700_000_009_999 });

    const { run } = await mlflow.read<{ run: RunJson }>('runs/get', { run_id: runId });
    expect(run.info).toMatchObject({ status: 'FINISHED', end_time: 1_700_000_009_999, user_id: 'alice' });
    // Latest value per key by (step, timestamp, value), not by arrival; everything sorted by key.
    expect(run.data.metrics).toEqual([
      { key: 'acc', value: 0.8, timestamp: 1_700_000_000_002, step: 2 },
      { key: 'loss', value: 0.5, timestamp: 1_700_000_000_002, step: 2 },
    ]);
    expect(run.data.params).toEqual([
      { key: 'Optimizer', value: 'adam' },
      { key: 'batch_size', value: '32' },
      { key: 'lr', value: '0.01' },
    ]);
    expect(run.data.tags?.map((tag) => tag.key)).toEqual(['mlflow.runName', 'mlflow.source.name', 'mlflow.source.type', 'mlflow.user', 'note', 'phase']);
    expect(run.data.tags).toContainEqual({ key: 'note', value: '' });

    // Re-logging a param with the same value is allowed.
    await mlflow.ok('runs/log-parameter', { run_id: runId, key: 'lr', value: '0.01' });
  });

  it('writes through the same commands as GraphQL: each API sees the other, events carry the server actor', async () => {
    const experiment = await mlflow.setExperiment('one-write-path');
    const run = await mlflow.startRun(experiment.experiment_id, 'via-rest');
    await mlflow.ok('runs/log-metric', { run_id: run.info.run_id, key: 'm', value: 1, timestamp: 5 });

    const viaGraphql = await t.graphql<{ run: { name: string; userId: string; latestMetrics: { key: string; value: number }[] } }>(
      `query($id: ID!) { run(id: $id) { name userId latestMetrics { key value } } }`,
      { id: run.info.run_id },
    );
    expect(viaGraphql.data?.run).toEqual({ name: 'via-rest', userId: 'alice', latestMetrics: [{ key: 'm', value: 1 }] });

    const created = await t.graphql<{ createRun: { id: string } }>(
      `mutation($e: ID!) { createRun(input: { experimentId: $e, runName: "via-graphql" }) { ... on Run { id } } }`,
      { e: experiment.experiment_id },
    );
    const graphqlRunId = created.data?.createRun.id ?? '';
    const { run: fromRest } = await mlflow.read<{ run: RunJson }>('runs/get', { run_id: graphqlRunId });
    expect(fromRest.info).toMatchObject({ run_name: 'via-graphql', user_id: 'server-actor' });

    const events = await t.app.backend.store.readStream(`run-${run.info.run_id}`);
    expect(events.map((e) => e.type)).toEqual(['RunCreated', 'MetricsLogged']);
    expect(events.every((e) => e.metadata.actor === 'server-actor')).toBe(true);
  });

  it('runs/search: filter, order_by, view type, page tokens', async () => {
    const experiment = await mlflow.setExperiment('search-runs');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { run } = await mlflow.ok<{ run: RunJson }>('runs/create', { experiment_id: experiment.experiment_id, run_name: `run-${i}`, start_time: 1000 + i });
      ids.push(run.info.run_id);
      await mlflow.ok('runs/log-batch', {
        run_id: run.info.run_id,
        metrics: [{ key: 'acc', value: i / 10, timestamp: 1, step: 0 }],
        params: [{ key: 'opt', value: i % 2 === 0 ? 'adam' : 'sgd' }],
      });
    }
    const search = (body: Record<string, unknown>) => mlflow.ok<{ runs?: RunJson[]; next_page_token?: string }>('runs/search', { experiment_ids: [experiment.experiment_id], ...body });

    const adam = await search({ filter: "params.opt = 'adam' and metrics.acc > 0.05", order_by: ['metrics.acc DESC'] });
    expect(adam.runs?.map((r) => r.info.run_name)).toEqual(['run-4', 'run-2']);
    expect(adam.next_page_token).toBeUndefined();
    expect(adam.runs?.[0].data.metrics).toEqual([{ key: 'acc', value: 0.4, timestamp: 1, step: 0 }]);
    expect(adam.runs?.[0].data.params).toEqual([{ key: 'opt', value: 'adam' }]);

    // Default order start_time DESC; pages of two until no token comes back.
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await search({ max_results: 2, page_token: token });
      names.push(...(page.runs ?? []).map((r) => r.info.run_name));
      token = page.next_page_token;
      pages++;
    } while (token);
    expect(names).toEqual(['run-4', 'run-3', 'run-2', 'run-1', 'run-0']);
    expect(pages).toBe(3);
    const first = await search({ max_results: 2 });
    expect(first.next_page_token).toBe('eyJvZmZzZXQiOiAyfQ=='); // base64 of {"offset": 2}, as MLflow

    await mlflow.ok('runs/delete', { run_id: ids[0] });
    expect((await search({})).runs?.map((r) => r.info.run_name)).toEqual(['run-4', 'run-3', 'run-2', 'run-1']);
    expect((await search({ run_view_type: 'DELETED_ONLY' })).runs?.map((r) => r.info.run_name)).toEqual(['run-0']);
    expect((await search({ run_view_type: 'ALL' })).runs).toHaveLength(5);
    const none = await search({ filter: "params.opt = 'none'" });
    expect(none).toEqual({});

    const run1 = await search({ filter: `attributes.run_id IN ('${ids[1]}')` });
    expect(run1.runs?.map((r) => r.info.run_id)).toEqual([ids[1]]);
  });

  it('metrics/get-history pages with tokens; without max_results it still returns the history', async () => {
    const { run } = await mlflow.ok<{ run: RunJson }>('runs/create', { experiment_id: '0' });
    const metrics = Array.from({ length: 7 }, (_, i) => ({ key: 'loss', value: 1 / (i + 1), timestamp: 1000 + i, step: i }));
    await mlflow.ok('runs/log-batch', { run_id: run.info.run_id, metrics });

    const seen: MetricJson[] = [];
    let token: string | undefined;
    do {
      const page = await mlflow.read<{ metrics?: MetricJson[]; next_page_token?: string }>('metrics/get-history', {
        run_id: run.info.run_id,
        metric_key: 'loss',
        max_results: 3,
        page_token: token,
      });
      seen.push(...(page.metrics ?? []));
      token = page.next_page_token;
    } while (token);
    expect(seen).toEqual(metrics);

    // The Python client's call.
    const full = await mlflow.read<{ metrics: MetricJson[]; next_page_token?: string }>('metrics/get-history', { run_id: run.info.run_id, metric_key: 'loss', max_results: 25000 });
    expect(full.metrics).toEqual(metrics);
    expect(full.next_page_token).toBeUndefined();
    // MLflow answers nothing here (reference §1.10.1); we answer the data.
    const unpaged = await mlflow.read<{ metrics: MetricJson[]; next_page_token?: string }>('metrics/get-history', { run_uuid: run.info.run_id, metric_key: 'loss' });
    expect(unpaged).toEqual({ metrics });

    expect(await mlflow.read('metrics/get-history', { run_id: run.info.run_id, metric_key: 'nothing', max_results: 25000 })).toEqual({});
    const unknownRun = await mlflow.get<MlflowErrorBody>('metrics/get-history', { run_id: 'f'.repeat(32), metric_key: 'loss', max_results: 25000 });
    expect(unknownRun.status).toBe(404);
    expect(unknownRun.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('get-history-bulk-interval and the ajax get-history-bulk take run ids as repeated query keys', async () => {
    const runIds: string[] = [];
    for (const steps of [10, 3]) {
      const { run } = await mlflow.ok<{ run: RunJson }>('runs/create', { experiment_id: '0' });
      runIds.push(run.info.run_id);
      await mlflow.ok('runs/log-batch', { run_id: run.info.run_id, metrics: Array.from({ length: steps }, (_, i) => ({ key: 'm_batch', value: i, timestamp: 100 + i, step: i })) });
    }
    const sampled = await mlflow.read<{ metrics: MetricJson[] }>('metrics/get-history-bulk-interval', { run_ids: runIds, metric_key: 'm_batch', max_results: 5 });
    // Evenly spread steps plus the last one, as MLflow; the short run comes back whole.
    expect(sampled.metrics.filter((m) => m.run_id === runIds[0]).map((m) => m.step)).toEqual([0, 2, 4, 6, 8, 9]);
    expect(sampled.metrics.filter((m) => m.run_id === runIds[1]).map((m) => m.step)).toEqual([0, 1, 2]);
    expect(sampled.metrics[0]).toEqual({ key: 'm_batch', value: 0, timestamp: 100, step: 0, run_id: runIds[0] });

    const ranged = await mlflow.read<{ metrics: MetricJson[] }>('metrics/get-history-bulk-interval', { run_ids: [runIds[0]], metric_key: 'm_batch', start_step: 3, end_step: 5 });
    expect(ranged.metrics.map((m) => m.step)).toEqual([3, 4, 5]);
    const backwards = await mlflow.get<MlflowErrorBody>('metrics/get-history-bulk-interval', { run_ids: [runIds[0]], metric_key: 'm_batch', start_step: 5, end_step: 3 });
    expect(backwards.status).toBe(400);
    const tooMany = await mlflow.get<MlflowErrorBody>('metrics/get-history-bulk-interval', { run_ids: Array.from({ length: 101 }, (_, i) => `r${i}`), metric_key: 'm' });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toMatch(/more than 100 run_ids/);
    const noRuns = await mlflow.get<MlflowErrorBody>('metrics/get-history-bulk-interval', { metric_key: 'm' });
    expect(noRuns.body.message).toMatch(/at least one run_id/);

    const ajax = mlflow.withPrefix('/ajax-api/2.0/mlflow/');
    const bulk = await ajax.read<{ metrics: MetricJson[] }>('metrics/get-history-bulk', { run_id: runIds, metric_key: 'm_batch', max_results: 12 });
    expect(bulk.metrics).toHaveLength(12);
    expect(bulk.metrics.slice(9, 12).map((m) => [m.run_id, m.step])).toEqual([
      [runIds[0], 9],
      [runIds[1], 0],
      [runIds[1], 1],
    ]);
    // The bulk route exists only for the UI, under /ajax-api.
    expect((await mlflow.get('metrics/get-history-bulk', { run_id: runIds, metric_key: 'm_batch' })).status).toBe(404);
    // "run_ids[]=a" is read as a list too.
    const bracketed = await mlflow.get<{ metrics: MetricJson[] }>(`metrics/get-history-bulk-interval`, { 'run_ids[]': [runIds[1]], metric_key: 'm_batch' });
    expect(bracketed.body.metrics).toHaveLength(3);
  });

  it('experiments/search over GET and POST: filter, order_by, view_type, paging', async () => {
    for (const name of ['es-alpha', 'es-beta', 'es-gamma']) {
      await mlflow.ok('experiments/create', { name, tags: [{ key: 'team', value: name === 'es-beta' ? 'nlp' : 'vision' }] });
    }
    const names = (experiments: ExperimentJson[] | undefined) => (experiments ?? []).map((e) => e.name);

    const like = await mlflow.ok<{ experiments: ExperimentJson[] }>('experiments/search', { filter: "name LIKE 'es-%'", order_by: ['name DESC'] });
    expect(names(like.experiments)).toEqual(['es-gamma', 'es-beta', 'es-alpha']);
    expect(like.experiments[0].tags).toEqual([{ key: 'team', value: 'vision' }]);

    const viaGet = await mlflow.read<{ experiments: ExperimentJson[] }>('experiments/search', {
      filter: "tags.team = 'vision' AND name ILIKE 'ES-%'",
      order_by: ['name ASC', 'creation_time DESC'],
      max_results: '10',
    });
    expect(names(viaGet.experiments)).toEqual(['es-alpha', 'es-gamma']);
    const notBeta = await mlflow.read<{ experiments: ExperimentJson[] }>('experiments/search', { filter: "name != 'es-beta' and name like 'es-%'", order_by: 'experiment_id' });
    expect(names(notBeta.experiments)).toEqual(['es-alpha', 'es-gamma']);

    // Default order: newest first, Default (0) last.
    const all: string[] = [];
    let token: string | undefined;
    do {
      const page = await mlflow.ok<{ experiments?: ExperimentJson[]; next_page_token?: string }>('experiments/search', { max_results: 2, page_token: token });
      all.push(...names(page.experiments));
      token = page.next_page_token;
    } while (token);
    expect(all[all.length - 1]).toBe('Default');
    expect(all.length).toBeGreaterThanOrEqual(4);

    const beta = (await mlflow.read<{ experiment: ExperimentJson }>('experiments/get-by-name', { experiment_name: 'es-beta' })).experiment;
    await mlflow.ok('experiments/delete', { experiment_id: beta.experiment_id });
    const active = await mlflow.ok<{ experiments: ExperimentJson[] }>('experiments/search', { filter: "name LIKE 'es-%'" });
    expect(names(active.experiments)).not.toContain('es-beta');
    const deleted = await mlflow.ok<{ experiments: ExperimentJson[] }>('experiments/search', { view_type: 'DELETED_ONLY', filter: "name LIKE 'es-%'" });
    expect(names(deleted.experiments)).toEqual(['es-beta']);
    const everything = await mlflow.read<{ experiments: ExperimentJson[] }>('experiments/search', { view_type: 'ALL', filter: "name LIKE 'es-%'", order_by: 'name' });
    expect(names(everything.experiments)).toEqual(['es-alpha', 'es-beta', 'es-gamma']);
    const recent = await mlflow.ok<{ experiments: ExperimentJson[] }>('experiments/search', { filter: `creation_time >= ${beta.creation_time} and name LIKE 'es-%'` });
    expect(names(recent.experiments)).toContain('es-gamma');

    const badFilter = await mlflow.post<MlflowErrorBody>('experiments/search', { filter: 'metrics.x > 1' });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.message).toMatch(/Invalid entity type 'metrics'/);
    const badOrder = await mlflow.post<MlflowErrorBody>('experiments/search', { order_by: ['name DESCENDING'] });
    expect(badOrder.body).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    const tooMany = await mlflow.post<MlflowErrorBody>('experiments/search', { max_results: 50001 });
    expect(tooMany.status).toBe(400);
  });

  it('experiments update, tags, delete and restore; run tags, delete and restore', async () => {
    const { experiment_id: id } = await mlflow.ok<{ experiment_id: string }>('experiments/create', { name: 'lifecycle' });
    await mlflow.ok('experiments/update', { experiment_id: id, new_name: 'lifecycle-renamed' });
    await mlflow.ok('experiments/set-experiment-tag', { experiment_id: id, key: 'owner', value: 'ml' });
    await mlflow.ok('experiments/set-experiment-tag', { experiment_id: id, key: 'gone', value: 'x' });
    await mlflow.ok('experiments/delete-experiment-tag', { experiment_id: id, key: 'gone' });
    const { experiment } = await mlflow.read<{ experiment: ExperimentJson }>('experiments/get', { experiment_id: id });
    expect(experiment).toMatchObject({ name: 'lifecycle-renamed', tags: [{ key: 'owner', value: 'ml' }] });

    const { run } = await mlflow.ok<{ run: RunJson }>('runs/create', { experiment_id: id, tags: [{ key: 'temp', value: '1' }] });
    await mlflow.ok('runs/delete-tag', { run_id: run.info.run_id, key: 'temp' });
    const noTag = await mlflow.post<MlflowErrorBody>('runs/delete-tag', { run_id: run.info.run_id, key: 'temp' });
    expect(noTag.status).toBe(404);
    await mlflow.ok('runs/delete', { run_id: run.info.run_id });
    const deletedRun = await mlflow.read<{ run: RunJson }>('runs/get', { run_id: run.info.run_id });
    expect(deletedRun.run.info.lifecycle_stage).toBe('deleted');
    await mlflow.ok('runs/restore', { run_id: run.info.run_id });
    expect((await mlflow.read<{ run: RunJson }>('runs/get', { run_id: run.info.run_id })).run.info.lifecycle_stage).toBe('active');

    await mlflow.ok('experiments/delete', { experiment_id: id });
    const deleted = await mlflow.read<{ experiment: ExperimentJson }>('experiments/get-by-name', { experiment_name: 'lifecycle-renamed' });
    expect(deleted.experiment.lifecycle_stage).toBe('deleted');
    await mlflow.ok('experiments/restore', { experiment_id: id });
    expect((await mlflow.read<{ experiment: ExperimentJson }>('experiments/get', { experiment_id: id })).experiment.lifecycle_stage).toBe('active');

    const defaultExperiment = await mlflow.post<MlflowErrorBody>('experiments/delete', { experiment_id: '0' });
    expect(defaultExperiment.status).toBe(400);
  });

  it('runs/update: unknown status ignored, enum by number, run_name, run_uuid', async () => {
    const { run } = await mlflow.ok<{ run: RunJson }>('runs/create', { run_name: 'first', start_time: '1700000000000' });
    expect(run.info).toMatchObject({ experiment_id: '0', start_time: 1_700_000_000_000, user_id: 'server-actor' });
    const bogus = await mlflow.ok<{ run_info: RunInfoJson }>('runs/update', { run_id: run.info.run_id, status: 'BOGUS' });
    expect(bogus.run_info.status).toBe('RUNNING');
    const killed = await mlflow.ok<{ run_info: RunInfoJson }>('runs/update', { run_uuid: run.info.run_id, status: 5, end_time: '1700000000123', run_name: 'second' });
    expect(killed.run_info).toMatchObject({ status: 'KILLED', end_time: 1_700_000_000_123, run_name: 'second' });
    // A KILLED run still accepts metrics, as in MLflow.
    await mlflow.ok('runs/log-metric', { run_id: run.info.run_id, key: 'late', value: '2.5', timestamp: '7', step: '1' });
    const { run: after } = await mlflow.read<{ run: RunJson }>('runs/get', { run_uuid: run.info.run_id });
    expect(after.data.metrics).toEqual([{ key: 'late', value: 2.5, timestamp: 7, step: 1 }]);
    expect(after.data.tags).toContainEqual({ key: 'mlflow.runName', value: 'second' });
  });

  it('NaN and ±Infinity travel as strings both ways', async () => {
    const { run } = await mlflow.ok<{ run: RunJson }>('runs/create', { experiment_id: '0' });
    const runId = run.info.run_id;
    await mlflow.ok('runs/log-metric', { run_id: runId, key: 'nan', value: 'NaN', timestamp: 1 });
    await mlflow.ok('runs/log-batch', {
      run_id: runId,
      metrics: [
        { key: 'inf', value: 'Infinity', timestamp: 1, step: 0 },
        { key: 'ninf', value: '-Infinity', timestamp: 1, step: 0 },
        { key: 'nan', value: 1, timestamp: 0, step: 0 },
      ],
    });
    const { run: read } = await mlflow.read<{ run: RunJson }>('runs/get', { run_id: runId });
    expect(read.data.metrics).toEqual([
      { key: 'inf', value: 'Infinity', timestamp: 1, step: 0 },
      { key: 'nan', value: 'NaN', timestamp: 1, step: 0 },
      { key: 'ninf', value: '-Infinity', timestamp: 1, step: 0 },
    ]);
    const history = await mlflow.read<{ metrics: MetricJson[] }>('metrics/get-history', { run_id: runId, metric_key: 'nan', max_results: 25000 });
    expect(history.metrics.map((m) => m.value)).toEqual([1, 'NaN']);
  });
});

describe('MLflow REST API: errors, limits and routing', () => {
  let t: TestApp;
  let mlflow: MlflowRestClient;
  let runId: string;
  beforeAll(async () => {
    t = await startTestApp();
    mlflow = new MlflowRestClient(t.url);
    runId = (await mlflow.ok<{ run: RunJson }>('runs/create', { experiment_id: '0' })).run.info.run_id;
  });
  afterAll(() => t?.close());

  async function refused(answer: Promise<{ status: number; body: unknown }>, status: number, code: string, message: RegExp | string) {
    const { status: actual, body } = await answer;
    expect({ status: actual, body }).toMatchObject({ status, body: { error_code: code } });
    const text = (body as MlflowErrorBody).message;
    if (typeof message === 'string') expect(text).toBe(message);
    else expect(text).toMatch(message);
    expect(Object.keys(body as object).sort()).toEqual(['error_code', 'message']);
  }

  it("answers each case of MLflow's error table with its status, code and message", async () => {
    await refused(mlflow.get('runs/get', { run_id: 'nope' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'Run with id=nope not found');
    await refused(mlflow.get('experiments/get-by-name', { experiment_name: 'zzz' }), 404, 'RESOURCE_DOES_NOT_EXIST', "Could not find experiment with name 'zzz'");
    await mlflow.ok('experiments/create', { name: 'dup' });
    await refused(mlflow.post('experiments/create', { name: 'dup' }), 400, 'RESOURCE_ALREADY_EXISTS', 'Experiment(name=dup) already exists.');
    await refused(
      mlflow.post('experiments/create', {}),
      400,
      'INVALID_PARAMETER_VALUE',
      "Missing value for required parameter 'name'. See the API docs for more information about request parameters.",
    );
    await refused(
      mlflow.post('runs/search', { experiment_ids: ['0'], filter: 'metrics.accuracy >> 3' }),
      400,
      'INVALID_PARAMETER_VALUE',
      /^Invalid comparator '>>' not one of '\{/,
    );
    await refused(
      mlflow.post('runs/log-metric', { run_id: runId, key: 'm', value: 'notnum', timestamp: 1 }),
      400,
      'INVALID_PARAMETER_VALUE',
      `Invalid value "notnum" for parameter 'value' supplied: Hint: Value was of type 'str'. See the API docs for more information about request parameters.`,
    );
    await mlflow.ok('runs/log-parameter', { run_id: runId, key: 'p', value: 'a' });
    await refused(
      mlflow.post('runs/log-parameter', { run_id: runId, key: 'p', value: 'b' }),
      400,
      'INVALID_PARAMETER_VALUE',
      `Changing param values is not allowed. Param with key='p' was already logged with value='a' for run ID='${runId}'. Attempted logging new value 'b'.`,
    );
    const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: 'v' }));
    await refused(mlflow.post('runs/log-batch', { run_id: runId, params }), 400, 'INVALID_PARAMETER_VALUE', /^A batch logging request can contain at most 100 params. Got 101 params/);
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }));
    await refused(mlflow.post('runs/log-batch', { run_id: runId, metrics }), 400, 'INVALID_PARAMETER_VALUE', /at most 1000 metrics/);
    await refused(mlflow.post('runs/log-metric', { run_id: runId, key: '../x', value: 1, timestamp: 1 }), 400, 'INVALID_PARAMETER_VALUE', /This name would resolve to '\.\.\/x'/);

    const { run: doomed } = await mlflow.ok<{ run: RunJson }>('runs/create', { experiment_id: '0' });
    await mlflow.ok('runs/delete', { run_id: doomed.info.run_id });
    await refused(
      mlflow.post('runs/log-metric', { run_id: doomed.info.run_id, key: 'm', value: 1, timestamp: 1 }),
      400,
      'INVALID_PARAMETER_VALUE',
      `The run ${doomed.info.run_id} must be in the 'active' state. Current state is deleted.`,
    );
    const { experiment_id: gone } = await mlflow.ok<{ experiment_id: string }>('experiments/create', { name: 'gone' });
    await mlflow.ok('experiments/delete', { experiment_id: gone });
    await refused(mlflow.post('runs/create', { experiment_id: gone }), 400, 'INVALID_PARAMETER_VALUE', `The experiment ${gone} must be in the 'active' state. Current state is deleted.`);
    // A deleted experiment's name stays taken.
    await refused(mlflow.post('experiments/create', { name: 'gone' }), 400, 'RESOURCE_ALREADY_EXISTS', 'Experiment(name=gone) already exists.');
    await refused(
      mlflow.get('runs/get'),
      400,
      'INVALID_PARAMETER_VALUE',
      "Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.",
    );
    await refused(mlflow.get('experiments/get', { experiment_id: '999' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'No Experiment with id=999 exists');
    await refused(mlflow.post('runs/create', { experiment_id: '999' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'No Experiment with id=999 exists');
  });

  it('refuses malformed requests with 400s, never 5xx', async () => {
    await refused(mlflow.send('POST', '/api/2.0/mlflow/experiments/create', '{"name": '), 400, 'INVALID_PARAMETER_VALUE', /^Malformed request body/);
    await refused(mlflow.send('POST', '/api/2.0/mlflow/experiments/create', '[1, 2]'), 400, 'INVALID_PARAMETER_VALUE', /must be a JSON object/);
    await refused(mlflow.send('POST', '/api/2.0/mlflow/experiments/create'), 400, 'INVALID_PARAMETER_VALUE', /required parameter 'name'/);
    await refused(mlflow.post('experiments/create', { name: 42 }), 400, 'INVALID_PARAMETER_VALUE', /^Invalid value 42 for parameter 'name' supplied: Hint: Value was of type 'int'/);
    await refused(mlflow.post('runs/log-metric', { run_id: runId, key: 'm', value: true, timestamp: 1 }), 400, 'INVALID_PARAMETER_VALUE', /Value was of type 'bool'/);
    await refused(mlflow.post('runs/log-metric', { run_id: runId, key: 'm', value: 1 }), 400, 'INVALID_PARAMETER_VALUE', /required parameter 'timestamp'/);
    await refused(mlflow.post('runs/log-metric', { run_id: runId, key: 'm', value: 1, timestamp: 1.5 }), 400, 'INVALID_PARAMETER_VALUE', /parameter 'timestamp'.*'float'/);
    await refused(mlflow.post('runs/log-metric', { run_id: runId, key: 'm', value: 1, timestamp: -1 }), 400, 'INVALID_PARAMETER_VALUE', /timestamp/);
    await refused(mlflow.post('runs/log-batch', { run_id: runId, metrics: [{ key: 'm', value: 1 }] }), 400, 'INVALID_PARAMETER_VALUE', /required parameter 'metrics\[0\]\.timestamp'/);
    await refused(mlflow.post('runs/log-batch', { run_id: runId, tags: 'x=1' }), 400, 'INVALID_PARAMETER_VALUE', /parameter 'tags'.*'str'/);
    await refused(mlflow.post('runs/set-tag', { run_id: runId, key: 'k' }), 400, 'INVALID_PARAMETER_VALUE', /required parameter 'value'/);
    await refused(mlflow.post('runs/search', { experiment_ids: ['0'], page_token: 'not a token' }), 400, 'INVALID_PARAMETER_VALUE', /Invalid page token/);
    await refused(mlflow.post('runs/search', { experiment_ids: ['0'], max_results: 50001 }), 400, 'INVALID_PARAMETER_VALUE', /at most 50000/);
    await refused(mlflow.post('runs/search', { experiment_ids: ['0'], max_results: 0 }), 400, 'INVALID_PARAMETER_VALUE', /positive integer/);
    await refused(mlflow.post('runs/search', { experiment_ids: ['0'], order_by: ['start_time DESCENDING'] }), 400, 'INVALID_PARAMETER_VALUE', /order_by/);
    await refused(mlflow.post('runs/search', { experiment_ids: ['0'], filter: "params.lr > '0.1'" }), 400, 'INVALID_PARAMETER_VALUE', /Invalid comparator '>'/);
    // Repeating a single-valued query key is a list where a string belongs.
    await refused(mlflow.get('runs/get', { run_id: [runId, runId] }), 400, 'INVALID_PARAMETER_VALUE', /Value was of type 'list'/);
    // Prototype keys are not fields.
    await refused(mlflow.post('experiments/create', { constructor: 'x' }), 400, 'INVALID_PARAMETER_VALUE', /required parameter 'name'/);
  });

  it('enforces batch limits and truncates over-long values as MLflow does', async () => {
    const { run } = await mlflow.ok<{ run: RunJson }>('runs/create', { experiment_id: '0' });
    const id = run.info.run_id;
    await mlflow.ok('runs/set-tag', { run_id: id, key: 'long', value: 'x'.repeat(8001) });
    await mlflow.ok('runs/log-parameter', { run_id: id, key: 'long', value: 'y'.repeat(6001) });
    const { run: read } = await mlflow.read<{ run: RunJson }>('runs/get', { run_id: id });
    expect(read.data.tags?.find((tag) => tag.key === 'long')?.value).toHaveLength(8000);
    expect(read.data.params?.find((p) => p.key === 'long')?.value).toHaveLength(6000);

    // Exactly at the limits is fine.
    await mlflow.ok('runs/log-batch', { run_id: id, params: Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: 'v' })) });
    await mlflow.ok('runs/log-batch', { run_id: id, metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i })) });
    await refused(
      mlflow.post('runs/log-batch', { run_id: id, tags: Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: 'v' })) }),
      400,
      'INVALID_PARAMETER_VALUE',
      /at most 100 tags/,
    );
    await refused(
      mlflow.post('runs/log-batch', { run_id: id, params: [{ key: 'dup', value: '1' }, { key: 'dup', value: '1' }] }),
      400,
      'INVALID_PARAMETER_VALUE',
      /Duplicate parameter keys/,
    );
    const bigTags = Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: 'z'.repeat(8000) }));
    const bigParams = Array.from({ length: 100 }, (_, i) => ({ key: `q${i}`, value: 'z'.repeat(6000) }));
    await refused(mlflow.post('runs/log-batch', { run_id: id, tags: bigTags, params: bigParams }), 400, 'INVALID_PARAMETER_VALUE', /Batched logging API requests must be at most 1000000 bytes/);
    // Nothing of a refused batch was written.
    const { run: unchanged } = await mlflow.read<{ run: RunJson }>('runs/get', { run_id: id });
    expect(unchanged.data.params?.some((p) => p.key === 'q0')).toBe(false);

    const huge = JSON.stringify({ name: 'n'.repeat(17 * 1024 * 1024) });
    await refused(mlflow.send('POST', '/api/2.0/mlflow/experiments/create', huge), 400, 'INVALID_PARAMETER_VALUE', /accepts at most 16777216/);
  });

  it('routes: unknown endpoint 404, wrong method 405, unimplemented APIs 501, server-info and version', async () => {
    await refused(mlflow.get('runs/nonsense'), 404, 'ENDPOINT_NOT_FOUND', 'No API endpoint GET /api/2.0/mlflow/runs/nonsense.');
    // Tracking RPCs live under 2.0 only, as in MLflow.
    await refused(mlflow.withPrefix('/api/3.0/mlflow/').get('runs/get', { run_id: runId }), 404, 'ENDPOINT_NOT_FOUND', /No API endpoint/);

    const wrongMethod = await mlflow.get<MlflowErrorBody>('runs/create');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(wrongMethod.body.message).toMatch(/Method GET is not allowed/);
    expect((await mlflow.send('DELETE', '/api/2.0/mlflow/experiments/search')).headers.get('allow')).toBe('GET, POST');

    await refused(mlflow.post('traces', {}), 501, 'NOT_IMPLEMENTED', /Traces is not implemented by this server yet/);
    await refused(mlflow.get('registered-models/get', { name: 'no-such-model' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=no-such-model not found');
    // artifacts/list is served by the artifact proxy (see test/artifacts.http.test.ts).
    expect((await mlflow.send('GET', `/api/2.0/mlflow/artifacts/list?run_id=${runId}`)).status).toBe(200);

    const info = await mlflow.withPrefix('/api/3.0/mlflow/').read('server-info');
    expect(info).toEqual({ store_type: 'SqlStore', workspaces_enabled: false });
    expect(await mlflow.withPrefix('/ajax-api/3.0/mlflow/').read('server-info')).toEqual(info);

    const version = await fetch(`${t.url}/version`);
    expect(version.status).toBe(200);
    expect(await version.text()).toMatch(/^\d+\.\d+\.\d+/);
    // Everything under /ajax-api/2.0 answers as under /api/2.0.
    const ajaxRun = await mlflow.withPrefix('/ajax-api/2.0/mlflow/').read<{ run: RunJson }>('runs/get', { run_id: runId });
    expect(ajaxRun.run.info.run_id).toBe(runId);
    // Paths outside the API still get the server's own 404.
    expect((await fetch(`${t.url}/api/2.0/other`)).status).toBe(404);
  });
});
