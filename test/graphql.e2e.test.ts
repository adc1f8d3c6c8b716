import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/testApp.ts';

interface Typed {
  __typename: string;
  [key: string]: unknown;
}

describe('GraphQL over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ user: 'alice' });
  });
  afterAll(() => t?.close());

  async function ok<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const body = await t.graphql<T>(query, variables);
    expect(body.errors).toBeUndefined();
    return body.data as T;
  }

  it('answers /health and serves GraphiQL', async () => {
    const health = await fetch(`${t.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('OK');
    const page = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('graphiql');
  });

  it('creates, finds and pages experiments', async () => {
    for (const name of ['alpha', 'beta', 'gamma']) {
      const data = await ok<{ createExperiment: Typed }>(
        `mutation($name: String!) { createExperiment(input: { name: $name, tags: [{ key: "team", value: "vision" }] }) { __typename ... on Experiment { id name tags { key value } } } }`,
        { name },
      );
      expect(data.createExperiment).toMatchObject({ __typename: 'Experiment', name, tags: [{ key: 'team', value: 'vision' }] });
    }
    const byName = await ok<{ experimentByName: { id: string; lifecycleStage: string } }>(`{ experimentByName(name: "beta") { id lifecycleStage } }`);
    expect(byName.experimentByName.lifecycleStage).toBe('active');

    const page1 = await ok<{ experiments: { nodes: { id: string; name: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
      `{ experiments(first: 2) { nodes { id name } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(page1.experiments.nodes.map((e) => e.name)).toEqual(['Default', 'alpha']);
    expect(page1.experiments.pageInfo.hasNextPage).toBe(true);
    const page2 = await ok<{ experiments: { nodes: { name: string }[]; pageInfo: { hasNextPage: boolean } } }>(
      `query($after: String) { experiments(first: 2, after: $after) { nodes { name } pageInfo { hasNextPage } } }`,
      { after: page1.experiments.pageInfo.endCursor },
    );
    expect(page2.experiments.nodes.map((e) => e.name)).toEqual(['beta', 'gamma']);
    expect(page2.experiments.pageInfo.hasNextPage).toBe(false);
  });

  it('returns typed errors with a code and the field at fault', async () => {
    const dup = await ok<{ createExperiment: Typed }>(`mutation { createExperiment(input: { name: "alpha" }) { __typename ... on DomainError { code message field } } }`);
    expect(dup.createExperiment).toEqual({ __typename: 'DomainError', code: 'RESOURCE_ALREADY_EXISTS', message: 'Experiment(name=alpha) already exists.', field: 'name' });
    const badCursor = await t.graphql(`{ experiments(after: "!!!") { nodes { id } } }`);
    expect(badCursor.errors?.[0].extensions).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', field: 'after' });
    const badValue = await t.graphql(`mutation { logMetric(runId: "x", key: "k", value: "high") { __typename } }`);
    expect(badValue.errors?.[0].message).toMatch(/MetricValue must be a number/);
  });

  it('logs a whole run and reads it back: params, tags, latest metrics, history with NaN', async () => {
    const created = await ok<{ createRun: { id: string; name: string; status: string; userId: string } }>(
      `mutation { createRun(input: { experimentId: "0", runName: "r1", startTime: 1700000000000, tags: [{ key: "model", value: "cnn" }] }) { ... on Run { id name status userId } } }`,
    );
    const runId = created.createRun.id;
    expect(created.createRun).toMatchObject({ name: 'r1', status: 'RUNNING', userId: 'alice' });
    const logged = await ok<{ logBatch: Typed }>(
      `mutation($runId: ID!, $metrics: [MetricInput!]) { logBatch(runId: $runId, metrics: $metrics, params: [{ key: "lr", value: "0.01" }], tags: [{ key: "phase", value: "train" }]) { __typename ... on LogResult { runId } } }`,
      {
        runId,
        metrics: [
          { key: 'loss', value: 1.5, timestamp: 1700000000001, step: 0 },
          { key: 'loss', value: 'NaN', timestamp: 1700000000002, step: 1 },
          { key: 'loss', value: 0.5, timestamp: 1700000000003, step: 2 },
          { key: 'acc', value: 'Infinity', timestamp: 1700000000004, step: 0 },
        ],
      },
    );
    expect(logged.logBatch).toEqual({ __typename: 'LogResult', runId });
    await ok(`mutation($runId: ID!) { logMetric(runId: $runId, key: "acc", value: 0.75, step: 3) { __typename } }`, { runId });

    const run = await ok<{ run: { params: unknown[]; tags: unknown[]; latestMetrics: { key: string; value: unknown; step: number }[]; metricHistory: { nodes: { value: unknown; step: number }[] } } }>(
      `query($id: ID!) { run(id: $id) { params { key value } tags { key value } latestMetrics { key value step }
         metricHistory(key: "loss") { nodes { value step timestamp } pageInfo { hasNextPage } } } }`,
      { id: runId },
    );
    expect(run.run.params).toEqual([{ key: 'lr', value: '0.01' }]);
    expect(run.run.tags).toEqual([
      { key: 'mlflow.runName', value: 'r1' },
      { key: 'model', value: 'cnn' },
      { key: 'phase', value: 'train' },
    ]);
    expect(run.run.latestMetrics).toEqual([
      { key: 'acc', value: 0.75, step: 3 },
      { key: 'loss', value: 0.5, step: 2 },
    ]);
    expect(run.run.metricHistory.nodes.map((p) => p.value)).toEqual([1.5, 'NaN', 0.5]);

    const param = await ok<{ logParam: Typed }>(`mutation($runId: ID!) { logParam(runId: $runId, key: "lr", value: "0.02") { __typename ... on DomainError { code field message } } }`, { runId });
    expect(param.logParam).toMatchObject({ __typename: 'DomainError', code: 'INVALID_PARAMETER_VALUE', field: 'params[0].value' });

    const finished = await ok<{ updateRun: { status: string; endTime: number } }>(
      `mutation($runId: ID!) { updateRun(input: { runId: $runId, status: FINISHED, endTime: 1700000009999 }) { ... on Run { status endTime } } }`,
      { runId },
    );
    expect(finished.updateRun).toEqual({ status: 'FINISHED', endTime: 1700000009999 });
  });

  it('pages a long metric history', async () => {
    const { createRun } = await ok<{ createRun: { id: string } }>(`mutation { createRun(input: { experimentId: "0" }) { ... on Run { id } } }`);
    const metrics = Array.from({ length: 250 }, (_, i) => ({ key: 'm', value: i, timestamp: 1000 + i, step: i }));
    await ok(`mutation($runId: ID!, $metrics: [MetricInput!]!) { logMetrics(runId: $runId, metrics: $metrics) { __typename } }`, { runId: createRun.id, metrics });
    const seen: number[] = [];
    let after: string | null = null;
    do {
      const data: { run: { metricHistory: { nodes: { value: number }[]; pageInfo: { endCursor: string | null } } } } = await ok(
        `query($id: ID!, $after: String) { run(id: $id) { metricHistory(key: "m", first: 100, after: $after) { nodes { value } pageInfo { endCursor } } } }`,
        { id: createRun.id, after },
      );
      seen.push(...data.run.metricHistory.nodes.map((n) => n.value));
      after = data.run.metricHistory.pageInfo.endCursor;
    } while (after);
    expect(seen).toEqual(metrics.map((m) => m.value));
  });

  it('logs metric series in a batch and answers a bad element with a typed error naming it', async () => {
    const { createRun } = await ok<{ createRun: { id: string } }>(`mutation { createRun(input: { experimentId: "0" }) { ... on Run { id } } }`);
    const mutation = `mutation($runId: ID!, $series: [MetricSeriesInput!]) { logBatch(runId: $runId, metricSeries: $series) { __typename ... on DomainError { code field message } } }`;
    const logged = await ok<{ logBatch: Typed }>(mutation, {
      runId: createRun.id,
      series: [{ key: 'loss', values: [3, 2, 'Infinity'], steps: [1, 2, 3], timestamps: [100, 200, 300] }],
    });
    expect(logged.logBatch.__typename).toBe('LogResult');
    const history = await ok<{ run: { metricHistory: { nodes: { step: number; value: number | string }[] } } }>(
      `query($id: ID!) { run(id: $id) { metricHistory(key: "loss") { nodes { step value } } } }`,
      { id: createRun.id },
    );
    expect(history.run.metricHistory.nodes).toEqual([{ step: 1, value: 3 }, { step: 2, value: 2 }, { step: 3, value: 'Infinity' }]);

    const refused = await ok<{ logBatch: Typed }>(mutation, { runId: createRun.id, series: [{ key: 'loss', values: [1, 2], steps: [4] }] });
    expect(refused.logBatch).toMatchObject({ __typename: 'DomainError', code: 'INVALID_PARAMETER_VALUE', field: 'metricSeries[0].steps' });
    const badScalar = await t.graphql(mutation, { runId: createRun.id, series: [{ key: 'loss', values: [1, 'high'] }] });
    expect(badScalar.errors?.[0].message).toMatch(/MetricValue must be a number/);
  });

  it('searches runs with MLflow filters, ordering and cursor paging', async () => {
    const { createExperiment } = await ok<{ createExperiment: { id: string } }>(`mutation { createExperiment(input: { name: "search" }) { ... on Experiment { id } } }`);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { createRun } = await ok<{ createRun: { id: string } }>(
        `mutation($e: ID!, $name: String!) { createRun(input: { experimentId: $e, runName: $name, startTime: ${1000 + i} }) { ... on Run { id } } }`,
        { e: createExperiment.id, name: `run-${i}` },
      );
      ids.push(createRun.id);
      await ok(
        `mutation($r: ID!, $acc: MetricValue!, $opt: String!) { logBatch(runId: $r, metrics: [{ key: "acc", value: $acc, timestamp: 1 }], params: [{ key: "opt", value: $opt }]) { __typename } }`,
        { r: createRun.id, acc: i / 10, opt: i % 2 === 0 ? 'adam' : 'sgd' },
      );
    }
    const search = (filter: string, orderBy: string[], first = 10, after: string | null = null) =>
      t.graphql<{ searchRuns: { nodes: { name: string }[]; pageInfo: { endCursor: string | null } } }>(
        `query($e: [ID!]!, $f: String, $o: [String!], $first: Int, $after: String) { searchRuns(experimentIds: $e, filter: $f, orderBy: $o, first: $first, after: $after) { nodes { name } pageInfo { endCursor } } }`,
        { e: [createExperiment.id], f: filter, o: orderBy, first, after },
      );
    const adam = await search(`params.opt = 'adam' and metrics.acc > 0.05`, ['metrics.acc DESC']);
    expect(adam.data?.searchRuns.nodes.map((n) => n.name)).toEqual(['run-4', 'run-2']);
    const byDefault = await search('', [], 2);
    expect(byDefault.data?.searchRuns.nodes.map((n) => n.name)).toEqual(['run-4', 'run-3']);
    const next = await search('', [], 2, byDefault.data?.searchRuns.pageInfo.endCursor ?? null);
    expect(next.data?.searchRuns.nodes.map((n) => n.name)).toEqual(['run-2', 'run-1']);
    const bad = await search('metrics.acc >> 3', []);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', field: 'filter' });
    expect(bad.errors?.[0].message).toMatch(/Invalid comparator/);
  });
});
