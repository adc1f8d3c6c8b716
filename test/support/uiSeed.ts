import { crc32, deflateSync } from 'node:zlib';
import type { UiTestApp } from './uiTestApp.ts';

/** A small valid PNG (a diagonal gradient), to preview as an image artifact. */
export function tinyPng(size = 16): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows: number[] = [];
  for (let y = 0; y < size; y++) {
    rows.push(0);
    for (let x = 0; x < size; x++) rows.push((x * 255) / size, (y * 255) / size, 160);
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.from(rows))), chunk('IEND', Buffer.alloc(0))]);
}

export interface SeededRun {
  id: string;
  name: string;
}

export interface Seed {
  experimentId: string;
  runs: { fast: SeededRun; slow: SeededRun; live: SeededRun };
  pagingExperimentId: string;
  pagingRuns: number;
  model: string;
}

const unwrap = <T extends { __typename: string; message?: string }>(result: T, what: string): T => {
  if (result.__typename === 'DomainError') throw new Error(`${what}: ${result.message}`);
  return result;
};

async function createExperiment(t: UiTestApp, name: string, tags: { key: string; value: string }[] = []): Promise<string> {
  const data = await t.gql<{ createExperiment: { __typename: string; id: string; message?: string } }>(
    `mutation ($name: String!, $tags: [KeyValueInput!]) { createExperiment(input: { name: $name, tags: $tags }) { __typename ... on Experiment { id } ... on DomainError { message } } }`,
    { name, tags },
  );
  return unwrap(data.createExperiment, name).id;
}

export async function createRun(t: UiTestApp, experimentId: string, runName: string, startTime?: number): Promise<SeededRun> {
  const data = await t.gql<{ createRun: { __typename: string; id: string; message?: string } }>(
    `mutation ($experimentId: ID!, $runName: String!, $startTime: Long) { createRun(input: { experimentId: $experimentId, runName: $runName, startTime: $startTime }) { __typename ... on Run { id } ... on DomainError { message } } }`,
    { experimentId, runName, startTime },
  );
  return { id: unwrap(data.createRun, runName).id, name: runName };
}

export async function logBatch(
  t: UiTestApp,
  runId: string,
  batch: { params?: Record<string, string>; tags?: Record<string, string>; series?: { key: string; values: number[]; steps?: number[] }[] },
): Promise<void> {
  const pairs = (o: Record<string, string> | undefined) => Object.entries(o ?? {}).map(([key, value]) => ({ key, value }));
  const data = await t.gql<{ logBatch: { __typename: string; message?: string } }>(
    `mutation ($runId: ID!, $params: [KeyValueInput!], $tags: [KeyValueInput!], $series: [MetricSeriesInput!]) {
      logBatch(runId: $runId, params: $params, tags: $tags, metricSeries: $series) { __typename ... on DomainError { message } } }`,
    { runId, params: pairs(batch.params), tags: pairs(batch.tags), series: batch.series ?? [] },
  );
  unwrap(data.logBatch, `logBatch ${runId}`);
}

export async function finishRun(t: UiTestApp, runId: string): Promise<void> {
  const data = await t.gql<{ updateRun: { __typename: string; message?: string } }>(
    `mutation ($runId: ID!) { updateRun(input: { runId: $runId, status: FINISHED, endTime: ${Date.now()} }) { __typename ... on DomainError { message } } }`,
    { runId },
  );
  unwrap(data.updateRun, 'updateRun');
}

async function upload(t: UiTestApp, experimentId: string, runId: string, path: string, body: string | Buffer): Promise<void> {
  const response = await fetch(`${t.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${path}`, {
    method: 'PUT',
    body: typeof body === 'string' ? body : new Uint8Array(body),
    headers: { 'content-type': 'application/octet-stream' },
  });
  if (!response.ok) throw new Error(`upload ${path}: ${response.status} ${await response.text()}`);
}

const steps = (n: number) => Array.from({ length: n }, (_, i) => i);

export async function registry(t: UiTestApp, mutation: string, variables: Record<string, unknown>): Promise<void> {
  const data = await t.gql<Record<string, { __typename: string; message?: string }>>(mutation, variables);
  for (const [field, result] of Object.entries(data)) unwrap(result, field);
}

/**
 * What every UI test looks at: an experiment with two finished runs and a running one
 * (params, tags, curves, artifacts), a second experiment of many runs for paging, a
 * registered model with two versions through stages and an alias, and monitoring data
 * for its version 1 (predictions, late labels, a reference profile, a firing monitor).
 */
export async function seedUi(t: UiTestApp, options: { pagingRuns?: number } = {}): Promise<Seed> {
  const experimentId = await createExperiment(t, 'mnist-baseline', [{ key: 'team', value: 'vision' }]);
  await createExperiment(t, 'churn-prediction');
  const fast = await createRun(t, experimentId, 'lr-0.1');
  const slow = await createRun(t, experimentId, 'lr-0.01');
  const live = await createRun(t, experimentId, 'live-run');
  await logBatch(t, fast.id, {
    params: { lr: '0.1', batch_size: '64', optimizer: 'adam' },
    tags: { phase: 'train', owner: 'alice' },
    series: [
      { key: 'loss', values: steps(50).map((i) => 2 * Math.exp(-i / 10) + 0.05), steps: steps(50) },
      { key: 'accuracy', values: steps(50).map((i) => 0.95 - 0.5 * Math.exp(-i / 8)), steps: steps(50) },
    ],
  });
  await logBatch(t, slow.id, {
    params: { lr: '0.01', batch_size: '64', optimizer: 'sgd' },
    tags: { phase: 'train', owner: 'bob' },
    series: [
      { key: 'loss', values: steps(50).map((i) => 2 * Math.exp(-i / 30) + 0.3), steps: steps(50) },
      { key: 'accuracy', values: steps(50).map((i) => 0.8 - 0.4 * Math.exp(-i / 25)), steps: steps(50) },
    ],
  });
  await logBatch(t, live.id, { params: { lr: '0.001', batch_size: '128', optimizer: 'adam' }, series: [{ key: 'loss', values: steps(10).map((i) => 3 - i * 0.1), steps: steps(10) }] });
  await finishRun(t, fast.id);
  await finishRun(t, slow.id);
  await upload(t, experimentId, fast.id, 'metrics.json', JSON.stringify({ accuracy: 0.95, loss: 0.05 }));
  await upload(t, experimentId, fast.id, 'notes.txt', 'Trained on 60k images.\nBest epoch: 49.\n');
  await upload(t, experimentId, fast.id, 'plots/curve.png', tinyPng());

  // Many runs for paging: created a few at a time.
  const pagingRuns = options.pagingRuns ?? 260;
  const pagingExperimentId = await createExperiment(t, 'sweep');
  const base = Date.now() - pagingRuns * 1000;
  for (let i = 0; i < pagingRuns; i += 10) {
    await Promise.all(
      steps(Math.min(10, pagingRuns - i)).map(async (j) => {
        const run = await createRun(t, pagingExperimentId, `sweep-${String(i + j).padStart(4, '0')}`, base + (i + j) * 1000);
        await logBatch(t, run.id, { params: { seed: String(i + j) }, series: [{ key: 'score', values: [(i + j) / pagingRuns] }] });
      }),
    );
  }

  const model = 'mnist-classifier';
  await registry(t, `mutation ($name: String!) { createRegisteredModel(input: { name: $name, description: "Digits", comment: "first model" }) { __typename ... on DomainError { message } } }`, { name: model });
  await registry(t, `mutation ($name: String!, $source: String!, $runId: String) { createModelVersion(input: { name: $name, source: $source, runId: $runId, comment: "from the lr sweep" }) { __typename ... on DomainError { message } } }`, { name: model, source: `runs:/${fast.id}/model`, runId: fast.id });
  await registry(t, `mutation ($name: String!, $source: String!, $runId: String) { createModelVersion(input: { name: $name, source: $source, runId: $runId }) { __typename ... on DomainError { message } } }`, { name: model, source: `runs:/${slow.id}/model`, runId: slow.id });
  await registry(t, `mutation ($name: String!) { transitionModelVersionStage(name: $name, version: 1, stage: Production, comment: "passed offline evaluation") { __typename ... on DomainError { message } } }`, { name: model });
  await registry(t, `mutation ($name: String!) { setRegisteredModelAlias(name: $name, alias: "champion", version: 1, comment: "best accuracy") { __typename ... on DomainError { message } } }`, { name: model });
  await seedMonitoring(t, model);
  return { experimentId, runs: { fast, slow, live }, pagingExperimentId, pagingRuns, model };
}

/** Version 1 in production: 200 predictions over the last three hours, labels for 150, a profile, an accuracy monitor. */
async function seedMonitoring(t: UiTestApp, model: string): Promise<void> {
  const now = Date.now();
  const regions = ['eu', 'us', 'apac'];
  const predictions = steps(200).map((i) => ({
    requestId: `req-${i}`,
    version: 1,
    time: now - 3 * 3_600_000 + i * 50_000,
    predictedClass: i % 5 === 0 ? 'cat' : 'dog',
    probabilities: [
      { label: 'dog', probability: i % 5 === 0 ? 0.3 : 0.8 },
      { label: 'cat', probability: i % 5 === 0 ? 0.7 : 0.2 },
    ],
    latencyMs: 20 + (i % 7),
    features: [
      { name: 'size', number: 10 + (i % 20) + (i > 100 ? 15 : 0) },
      { name: 'region', category: regions[i % 3] },
    ],
  }));
  await registry(
    t,
    `mutation ($model: String!, $features: [ReferenceFeatureInput!]!) { freezeReferenceProfile(model: $model, version: 1, features: $features) { __typename ... on DomainError { message } } }`,
    {
      model,
      features: [
        { name: 'size', kind: 'NUMERIC', numbers: steps(500).map((i) => 10 + (i % 20)) },
        { name: 'region', kind: 'CATEGORICAL', categories: steps(500).map((i) => regions[i % 3]) },
      ],
    },
  );
  await registry(t, `mutation ($model: String!, $predictions: [PredictionInput!]!) { logPredictions(model: $model, predictions: $predictions) { __typename ... on DomainError { message } } }`, { model, predictions });
  // Labels for 150 of them: the true class is 'dog' for all, so every 'cat' prediction is wrong (accuracy 0.8).
  const labels = steps(150).map((i) => ({ requestId: `req-${i}`, label: 'dog' }));
  await registry(t, `mutation ($model: String!, $labels: [GroundTruthInput!]!) { logGroundTruth(model: $model, labels: $labels) { __typename ... on DomainError { message } } }`, { model, labels });
  await registry(
    t,
    `mutation ($model: String!) { createMonitor(input: { model: $model, version: 1, name: "accuracy-1h", metric: "accuracy", threshold: 0.9, windowMs: 14400000 }) { __typename ... on DomainError { message } } }`,
    { model },
  );
  await registry(t, `mutation ($model: String!) { evaluateMonitors(model: $model) { __typename ... on DomainError { message } } }`, { model });
}
