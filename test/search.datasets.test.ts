import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowRestClient, type MlflowErrorBody, type RunJson } from './support/mlflowRestClient.ts';
import { startTestApp, type TestApp } from './support/testApp.ts';

/**
 * MLflow's `datasets.name`, `datasets.digest` and `datasets.context` filters in runs/search
 * (REST, as the mlflow client sends it) and GraphQL searchRuns, over runs logged with log-inputs.
 */
describe('run search by dataset inputs', () => {
  let t: TestApp;
  let mlflow: MlflowRestClient;
  let experimentId: string;

  const dataset = (name: string, digest: string) => ({ name, digest, source_type: 'local', source: `{"uri": "/data/${name}.csv"}` });
  const input = (name: string, digest: string, context?: string) => ({ dataset: dataset(name, digest), tags: context ? [{ key: 'mlflow.data.context', value: context }] : [] });

  beforeAll(async () => {
    t = await startTestApp();
    mlflow = new MlflowRestClient(t.url);
    experimentId = (await mlflow.setExperiment('dataset-search')).experiment_id;
    const inputs: Record<string, ReturnType<typeof input>[]> = {
      'iris-train': [input('iris', 'aaa111', 'training')],
      'iris-eval': [input('iris', 'bbb222', 'evaluation'), input('wine', 'ccc333', 'training')],
      'wine-only': [input('wine', 'ccc333')],
      'no-inputs': [],
    };
    for (const [name, datasets] of Object.entries(inputs)) {
      const runId = (await mlflow.startRun(experimentId, name)).info.run_id;
      if (datasets.length > 0) await mlflow.ok('runs/log-inputs', { run_id: runId, datasets });
    }
  });
  afterAll(() => t?.close());

  const names = async (filter: string) => {
    const { runs } = await mlflow.ok<{ runs?: RunJson[] }>('runs/search', { experiment_ids: [experimentId], filter, order_by: ['attributes.run_name ASC'] });
    return runs?.map((run) => run.info.run_name) ?? [];
  };

  it.each([
    ["datasets.name = 'iris'", ['iris-eval', 'iris-train']],
    ["dataset.name = 'iris'", ['iris-eval', 'iris-train']],
    ["datasets.name != 'iris'", ['iris-eval', 'wine-only']],
    ["datasets.name LIKE 'w%'", ['iris-eval', 'wine-only']],
    ["datasets.name LIKE 'W%'", []],
    ["datasets.name ILIKE 'W%'", ['iris-eval', 'wine-only']],
    ["datasets.digest = 'aaa111'", ['iris-train']],
    ["datasets.digest IN ('aaa111', 'ccc333')", ['iris-eval', 'iris-train', 'wine-only']],
    ["datasets.digest NOT IN ('ccc333')", ['iris-eval', 'iris-train']],
    ["datasets.context = 'training'", ['iris-eval', 'iris-train']],
    ["datasets.context = 'evaluation'", ['iris-eval']],
    ["datasets.context IN ('evaluation')", ['iris-eval']],
    ["datasets.context NOT IN ('training')", ['iris-eval']],
    ["datasets.context LIKE '%tion'", ['iris-eval']],
    ["datasets.name = 'iris' AND datasets.context = 'training'", ['iris-eval', 'iris-train']],
    ["datasets.name = 'wine' AND attributes.run_name != 'iris-eval'", ['wine-only']],
    ["datasets.name = 'nothing'", []],
  ])('REST runs/search %s', async (filter, expected) => {
    expect(await names(filter)).toEqual(expected);
  });

  it.each([
    ["datasets.name > 'x'", "Invalid comparator '>' for datasets.name: not one of '{'=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}'"],
    ["datasets.context >= 'x'", "Invalid comparator '>=' for datasets.context: not one of '{'=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}'"],
    ["datasets.source = 'x'", "Invalid dataset key 'source' specified. Valid keys are '{'name', 'digest', 'context'}'"],
    ['datasets.digest = 5', "Expected a quoted string value for datasets.digest (e.g. 'my-value'). Got value 5"],
    ["datasets.name IN 'iris'", "Expected a parenthesised list of quoted strings after 'IN' for datasets.name. Got value 'iris'"],
  ])('REST refuses %s with INVALID_PARAMETER_VALUE', async (filter, message) => {
    const answer = await mlflow.post<MlflowErrorBody>('runs/search', { experiment_ids: [experimentId], filter });
    expect({ status: answer.status, error_code: answer.body.error_code, message: answer.body.message }).toEqual({ status: 400, error_code: 'INVALID_PARAMETER_VALUE', message });
  });

  it('GraphQL searchRuns takes the same filters and reports a bad comparator with code and field', async () => {
    const query = `query($e: [ID!]!, $f: String) { searchRuns(experimentIds: $e, filter: $f, orderBy: ["attributes.run_name ASC"], first: 10) { nodes { name } } }`;
    const found = await t.graphql<{ searchRuns: { nodes: { name: string }[] } }>(query, { e: [experimentId], f: "datasets.context = 'training' AND datasets.digest != 'aaa111'" });
    expect(found).toEqual({ data: { searchRuns: { nodes: [{ name: 'iris-eval' }] } } });
    const bad = await t.graphql(query, { e: [experimentId], f: "datasets.digest < 'x'" });
    expect(bad.errors?.[0].message).toBe("Invalid comparator '<' for datasets.digest: not one of '{'=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}'");
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', field: 'filter' });
  });
});
