/**
 * The measurements behind bench/ingest.ts, usable on any running server: logBatch
 * throughput from concurrent clients, and the latency of one logMetric at a time.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { encodePageToken } from '../src/search/compileRunSearch.ts';
import type { BackendName, BenchServer } from './benchServers.ts';
import { startCpuMeter, type CpuReport } from './cpuMeter.ts';
import { expectType, graphqlRequestBody, postGraphQL, type MutationOutcome } from './graphqlClient.ts';
import { summarizeLatencies, type LatencySummary } from './stats.ts';

/** MLflow's (and our) largest logBatch: the size real clients send when they batch. */
export const METRICS_PER_REQUEST = 1000;
/** Each request carries this many metric keys, each at METRICS_PER_REQUEST / KEYS consecutive steps. */
export const METRIC_KEYS = Array.from({ length: 10 }, (_, i) => `train/metric_${i}`);
const STEPS_PER_REQUEST = METRICS_PER_REQUEST / METRIC_KEYS.length;

// ---------------------------------------------------------------------------
// GraphQL operations

const CREATE_EXPERIMENT = `mutation($name: String!) { createExperiment(input: { name: $name }) { __typename ... on Experiment { id } ... on DomainError { code message } } }`;
const CREATE_RUN = `mutation($experimentId: ID!, $runName: String) { createRun(input: { experimentId: $experimentId, runName: $runName }) { __typename ... on Run { id } ... on DomainError { code message } } }`;
const LOG_BATCH = `mutation($runId: ID!, $metrics: [MetricInput!]) { logBatch(runId: $runId, metrics: $metrics) { __typename ... on DomainError { code message } } }`;
const LOG_SERIES = `mutation($runId: ID!, $series: [MetricSeriesInput!]) { logBatch(runId: $runId, metricSeries: $series) { __typename ... on DomainError { code message } } }`;
const LOG_METRIC = `mutation($runId: ID!, $value: MetricValue!, $timestamp: Long, $step: Long) { logMetric(runId: $runId, key: "latency/probe", value: $value, timestamp: $timestamp, step: $step) { __typename ... on DomainError { code message } } }`;
const HISTORY_TAIL = `query($runId: ID!, $key: String!, $after: String) { run(id: $runId) { metricHistory(key: $key, first: 1, after: $after) { nodes { step } pageInfo { hasNextPage } } } }`;

export async function createExperiment(server: BenchServer, name: string): Promise<string> {
  const { createExperiment } = await postGraphQL<{ createExperiment: MutationOutcome & { id?: string } }>(server.url, graphqlRequestBody(CREATE_EXPERIMENT, { name }));
  expectType(createExperiment, 'Experiment', 'createExperiment');
  return createExperiment.id as string;
}

async function createRun(server: BenchServer, experimentId: string, runName: string): Promise<string> {
  const { createRun } = await postGraphQL<{ createRun: MutationOutcome & { id?: string } }>(server.url, graphqlRequestBody(CREATE_RUN, { experimentId, runName }));
  expectType(createRun, 'Run', 'createRun');
  return createRun.id as string;
}


// ---------------------------------------------------------------------------
// Throughput: logBatch of 1000 points from several concurrent clients

export interface ThroughputCase {
  clients: number;
  /** All clients log into one run (one stream: appends serialise on it) instead of one run each. */
  sharedRun: boolean;
  /** How points travel: one MetricInput object each, or per key as parallel arrays (MetricSeriesInput). */
  input: 'objects' | 'series';
}

export interface ThroughputResult {
  backend: BackendName;
  label: string;
  points: number;
  wallMs: number;
  pointsPerSecond: number;
  requestLatency: LatencySummary;
  cpu: CpuReport;
  /** Points counted in metric_history for the case's runs, right after the last response. */
  countedBySql: number;
  /** Metric histories whose length GraphQL paging confirms, out of all the case wrote. */
  historiesConfirmed: number;
  historiesWritten: number;
  /** Requests refused or failed (e.g. DEADLINE_EXCEEDED); their points are not counted. */
  failedRequests: number;
  firstFailure?: string;
}

const caseLabel = (c: ThroughputCase) =>
  `logBatch×${METRICS_PER_REQUEST} ${c.input}, ${c.clients} client${c.clients === 1 ? '' : 's'}, ${c.sharedRun ? 'one shared run' : c.clients === 1 ? 'own run' : 'own runs'}`;

/**
 * The request bodies of one client, serialised before the clock starts so the
 * measured time is the server's (and HTTP's), not the load generator's JSON work.
 * Steps never repeat within a run, also when clients share it.
 */
function prepareBatches(runId: string, requests: number, firstStep: number, timestampBase: number, input: ThroughputCase['input']): string[] {
  const bodies: string[] = [];
  for (let request = 0; request < requests; request++) {
    if (input === 'series') {
      const first = firstStep + request * STEPS_PER_REQUEST;
      const steps = Array.from({ length: STEPS_PER_REQUEST }, (_, offset) => first + offset);
      const series = METRIC_KEYS.map((key) => ({ key, values: steps.map(() => Math.random()), timestamps: steps.map((step) => timestampBase + step), steps }));
      bodies.push(graphqlRequestBody(LOG_SERIES, { runId, series }));
      continue;
    }
    const metrics: { key: string; value: number; timestamp: number; step: number }[] = [];
    for (const key of METRIC_KEYS) {
      for (let offset = 0; offset < STEPS_PER_REQUEST; offset++) {
        const step = firstStep + request * STEPS_PER_REQUEST + offset;
        metrics.push({ key, value: Math.random(), timestamp: timestampBase + step, step });
      }
    }
    bodies.push(graphqlRequestBody(LOG_BATCH, { runId, metrics }));
  }
  return bodies;
}

/** Confirms through GraphQL that a history holds exactly `expected` points: the last one exists and nothing follows it. */
async function historyHasLength(server: BenchServer, runId: string, key: string, expected: number): Promise<boolean> {
  const data = await postGraphQL<{ run: { metricHistory: { nodes: { step: number }[]; pageInfo: { hasNextPage: boolean } } } | null }>(
    server.url,
    graphqlRequestBody(HISTORY_TAIL, { runId, key, after: expected > 1 ? encodePageToken(expected - 1) : null }),
  );
  const page = data.run?.metricHistory;
  return page !== undefined && page.nodes.length === 1 && !page.pageInfo.hasNextPage;
}

export async function runThroughputCase(server: BenchServer, experimentId: string, testCase: ThroughputCase, targetPoints: number, caseName: string): Promise<ThroughputResult> {
  const requestsPerClient = Math.max(1, Math.ceil(targetPoints / testCase.clients / METRICS_PER_REQUEST));
  const runIds = testCase.sharedRun
    ? [await createRun(server, experimentId, `${caseName}-shared`)]
    : await Promise.all(Array.from({ length: testCase.clients }, (_, client) => createRun(server, experimentId, `${caseName}-client-${client}`)));
  const timestampBase = Date.now();
  const batchesByClient = Array.from({ length: testCase.clients }, (_, client) =>
    testCase.sharedRun
      ? prepareBatches(runIds[0], requestsPerClient, client * requestsPerClient * STEPS_PER_REQUEST, timestampBase, testCase.input)
      : prepareBatches(runIds[client], requestsPerClient, 0, timestampBase, testCase.input),
  );

  const worker = await startLoadWorker(server.url, batchesByClient);
  const meter = await startCpuMeter(server.listPostgresPids);
  const startedAt = performance.now();
  const { latencies: requestLatencies, failures } = await worker.run();
  const wallMs = performance.now() - startedAt;
  const cpu = await meter.stop();

  const points = requestLatencies.length * METRICS_PER_REQUEST;
  // Read-your-writes means every point must be countable the moment the last response arrived.
  const { rows } = await server.app.backend.db.query<{ points: number | string }>(`select count(*) as points from metric_history where run_id = any($1::text[])`, [runIds]);
  const pointsPerHistory = (testCase.clients * requestsPerClient * METRICS_PER_REQUEST) / runIds.length / METRIC_KEYS.length;
  const checks = await Promise.all(runIds.flatMap((runId) => METRIC_KEYS.map((key) => historyHasLength(server, runId, key, pointsPerHistory))));
  return {
    backend: server.backend,
    label: caseLabel(testCase),
    points,
    wallMs,
    pointsPerSecond: points / (wallMs / 1000),
    requestLatency: summarizeLatencies(requestLatencies),
    cpu,
    countedBySql: Number(rows[0].points),
    historiesConfirmed: checks.filter(Boolean).length,
    historiesWritten: checks.length,
    failedRequests: failures.length,
    firstFailure: failures[0],
  };
}

/** A worker thread holding the clients' prepared bodies, ready to send them when told. */
export async function startLoadWorker(url: string, batchesByClient: string[][], endpoint = '/graphql'): Promise<{ run(): Promise<{ latencies: number[]; failures: string[] }> }> {
  const worker = new Worker(new URL('./loadWorker.mjs', import.meta.url), { workerData: { url, batchesByClient, endpoint } });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return {
    run: () =>
      new Promise((resolve, reject) => {
        worker.once('message', (result: { latencies: number[]; failures: string[] }) => {
          void worker.terminate();
          resolve(result);
        });
        worker.once('error', reject);
        worker.postMessage('go');
      }),
  };
}

// ---------------------------------------------------------------------------
// Latency: one client, one logMetric at a time

export interface LatencyResult {
  backend: BackendName;
  latency: LatencySummary;
  cpu: CpuReport;
  failedRequests: number;
  firstFailure?: string;
}

export async function runLatencyCase(server: BenchServer, experimentId: string, warmupRequests: number, measuredRequests: number): Promise<LatencyResult> {
  const runId = await createRun(server, experimentId, 'latency');
  const bodies = Array.from({ length: warmupRequests + measuredRequests }, (_, step) => graphqlRequestBody(LOG_METRIC, { runId, value: Math.random(), timestamp: Date.now(), step }));
  for (const body of bodies.slice(0, warmupRequests)) {
    const { logMetric } = await postGraphQL<{ logMetric: MutationOutcome }>(server.url, body);
    expectType(logMetric, 'LogResult', 'logMetric');
  }
  // The client runs in a worker thread, as a real client is another process: its HTTP work
  // does not share the server's event loop (in it, fetch added ~1 ms to every request here).
  const worker = await startLoadWorker(server.url, [bodies.slice(warmupRequests)]);
  const meter = await startCpuMeter(server.listPostgresPids);
  const { latencies, failures } = await worker.run();
  const cpu = await meter.stop();
  return { backend: server.backend, latency: summarizeLatencies(latencies), cpu, failedRequests: failures.length, firstFailure: failures[0] };
}
