/**
 * Ingest benchmark: metric points per second through GraphQL logBatch over HTTP,
 * and the latency of a single logMetric, on embedded PGlite and on Postgres.
 * Every mutation returns only once its points are readable (read-your-writes),
 * so the figures are "until readable". Prints figures; asserts nothing.
 *
 *   npx tsx bench/ingest.ts            full run (a few minutes)
 *   npx tsx bench/ingest.ts --quick    small run (~20 s), to check the bench itself
 *   --backend pglite|postgres|both  --points N  --clients 1,4,8  --latency-requests N
 *   DATABASE_URL=postgres://…          Postgres to use (default postgres://postgres@127.0.0.1:5432/test)
 */
import { cpus, totalmem, type as osType, release as osRelease } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { encodePageToken } from '../src/search/compileRunSearch.ts';
import { startPgliteServer, startPostgresServer, type BackendName, type BenchServer } from './benchServers.ts';
import { startCpuMeter, type CpuReport } from './cpuMeter.ts';
import { expectType, graphqlRequestBody, postGraphQL, type MutationOutcome } from './graphqlClient.ts';
import { formatInteger, formatMs, formatPercent, markdownTable, summarizeLatencies, type LatencySummary } from './stats.ts';

/** MLflow's (and our) largest logBatch: the size real clients send when they batch. */
const METRICS_PER_REQUEST = 1000;
/** Each request carries this many metric keys, each at METRICS_PER_REQUEST / KEYS consecutive steps. */
const METRIC_KEYS = Array.from({ length: 10 }, (_, i) => `train/metric_${i}`);
const STEPS_PER_REQUEST = METRICS_PER_REQUEST / METRIC_KEYS.length;

/** The targets; printed beside the figures, never asserted. */
const GOALS = {
  pointsPerSecond: { postgres: 100_000, pglite: 30_000 } satisfies Record<BackendName, number>,
  logMetricP50Ms: 3,
  logMetricP99Ms: 10,
};

interface BenchOptions {
  quick: boolean;
  backends: BackendName[];
  pointsPerCase: Record<BackendName, number>;
  warmupPoints: Record<BackendName, number>;
  clientCounts: number[];
  latencyRequests: number;
  latencyWarmupRequests: number;
  databaseUrl: string;
}

function parseOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: process.env.BENCH_QUICK === '1' },
      backend: { type: 'string', default: 'both' },
      points: { type: 'string' },
      clients: { type: 'string' },
      'latency-requests': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('usage: npx tsx bench/ingest.ts [--quick] [--backend pglite|postgres|both] [--points N] [--clients 1,4,8] [--latency-requests N]');
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const positiveInteger = (text: string, flag: string): number => {
    const value = Number(text.replace(/_/g, ''));
    if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${flag} must be a positive integer, got '${text}'`);
    return value;
  };
  const backends: BackendName[] = values.backend === 'both' ? ['pglite', 'postgres'] : values.backend === 'pglite' || values.backend === 'postgres' ? [values.backend] : [];
  if (backends.length === 0) throw new Error(`--backend must be pglite, postgres or both, got '${values.backend}'`);
  const pointsOverride = values.points === undefined ? undefined : positiveInteger(values.points, 'points');
  const latencyRequests = values['latency-requests'] === undefined ? (quick ? 300 : 2000) : positiveInteger(values['latency-requests'], 'latency-requests');
  return {
    quick,
    backends,
    // Sized so each full case runs for seconds, not milliseconds, at the goal rates.
    pointsPerCase: { pglite: pointsOverride ?? (quick ? 16_000 : 120_000), postgres: pointsOverride ?? (quick ? 32_000 : 240_000) },
    warmupPoints: { pglite: quick ? 4_000 : 24_000, postgres: quick ? 8_000 : 48_000 },
    clientCounts: values.clients === undefined ? (quick ? [4, 8] : [1, 4, 8]) : values.clients.split(',').map((c) => positiveInteger(c.trim(), 'clients')),
    latencyRequests,
    latencyWarmupRequests: Math.max(20, Math.round(latencyRequests / 10)),
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  };
}

// ---------------------------------------------------------------------------
// GraphQL operations

const CREATE_EXPERIMENT = `mutation($name: String!) { createExperiment(input: { name: $name }) { __typename ... on Experiment { id } ... on DomainError { code message } } }`;
const CREATE_RUN = `mutation($experimentId: ID!, $runName: String) { createRun(input: { experimentId: $experimentId, runName: $runName }) { __typename ... on Run { id } ... on DomainError { code message } } }`;
const LOG_BATCH = `mutation($runId: ID!, $metrics: [MetricInput!]) { logBatch(runId: $runId, metrics: $metrics) { __typename ... on DomainError { code message } } }`;
const LOG_METRIC = `mutation($runId: ID!, $value: MetricValue!, $timestamp: Long, $step: Long) { logMetric(runId: $runId, key: "latency/probe", value: $value, timestamp: $timestamp, step: $step) { __typename ... on DomainError { code message } } }`;
const HISTORY_TAIL = `query($runId: ID!, $key: String!, $after: String) { run(id: $runId) { metricHistory(key: $key, first: 1, after: $after) { nodes { step } pageInfo { hasNextPage } } } }`;

async function createExperiment(server: BenchServer, name: string): Promise<string> {
  const { createExperiment } = await postGraphQL<{ createExperiment: MutationOutcome & { id?: string } }>(server.url, graphqlRequestBody(CREATE_EXPERIMENT, { name }));
  expectType(createExperiment, 'Experiment', 'createExperiment');
  return createExperiment.id as string;
}

async function createRun(server: BenchServer, experimentId: string, runName: string): Promise<string> {
  const { createRun } = await postGraphQL<{ createRun: MutationOutcome & { id?: string } }>(server.url, graphqlRequestBody(CREATE_RUN, { experimentId, runName }));
  expectType(createRun, 'Run', 'createRun');
  return createRun.id as string;
}

async function logBatch(server: BenchServer, body: string): Promise<void> {
  const { logBatch } = await postGraphQL<{ logBatch: MutationOutcome }>(server.url, body);
  expectType(logBatch, 'LogResult', 'logBatch');
}

// ---------------------------------------------------------------------------
// Throughput: logBatch of 1000 points from several concurrent clients

interface ThroughputCase {
  clients: number;
  /** All clients log into one run (one stream: appends serialise on it) instead of one run each. */
  sharedRun: boolean;
}

interface ThroughputResult {
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
}

const caseLabel = (c: ThroughputCase) => `logBatch×${METRICS_PER_REQUEST}, ${c.clients} client${c.clients === 1 ? '' : 's'}, ${c.sharedRun ? 'one shared run' : c.clients === 1 ? 'own run' : 'own runs'}`;

/**
 * The request bodies of one client, serialised before the clock starts so the
 * measured time is the server's (and HTTP's), not the load generator's JSON work.
 * Steps never repeat within a run, also when clients share it.
 */
function prepareBatches(runId: string, requests: number, firstStep: number, timestampBase: number): string[] {
  const bodies: string[] = [];
  for (let request = 0; request < requests; request++) {
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

async function runThroughputCase(server: BenchServer, experimentId: string, testCase: ThroughputCase, targetPoints: number, caseName: string): Promise<ThroughputResult> {
  const requestsPerClient = Math.max(1, Math.ceil(targetPoints / testCase.clients / METRICS_PER_REQUEST));
  const runIds = testCase.sharedRun
    ? [await createRun(server, experimentId, `${caseName}-shared`)]
    : await Promise.all(Array.from({ length: testCase.clients }, (_, client) => createRun(server, experimentId, `${caseName}-client-${client}`)));
  const timestampBase = Date.now();
  const batchesByClient = Array.from({ length: testCase.clients }, (_, client) =>
    testCase.sharedRun
      ? prepareBatches(runIds[0], requestsPerClient, client * requestsPerClient * STEPS_PER_REQUEST, timestampBase)
      : prepareBatches(runIds[client], requestsPerClient, 0, timestampBase),
  );

  const requestLatencies: number[] = [];
  const meter = startCpuMeter({ watchPostgres: server.backend === 'postgres' });
  const startedAt = performance.now();
  await Promise.all(
    batchesByClient.map(async (bodies) => {
      for (const body of bodies) {
        const sentAt = performance.now();
        await logBatch(server, body);
        requestLatencies.push(performance.now() - sentAt);
      }
    }),
  );
  const wallMs = performance.now() - startedAt;
  const cpu = meter.stop();

  const points = testCase.clients * requestsPerClient * METRICS_PER_REQUEST;
  // Read-your-writes means every point must be countable the moment the last response arrived.
  const { rows } = await server.app.backend.db.query<{ points: number | string }>(`select count(*) as points from metric_history where run_id = any($1::text[])`, [runIds]);
  const pointsPerHistory = points / runIds.length / METRIC_KEYS.length;
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
  };
}

// ---------------------------------------------------------------------------
// Latency: one client, one logMetric at a time

interface LatencyResult {
  backend: BackendName;
  latency: LatencySummary;
  cpu: CpuReport;
}

async function runLatencyCase(server: BenchServer, experimentId: string, warmupRequests: number, measuredRequests: number): Promise<LatencyResult> {
  const runId = await createRun(server, experimentId, 'latency');
  const bodies = Array.from({ length: warmupRequests + measuredRequests }, (_, step) => graphqlRequestBody(LOG_METRIC, { runId, value: Math.random(), timestamp: Date.now(), step }));
  const samples: number[] = [];
  let meter: ReturnType<typeof startCpuMeter> | undefined;
  for (const [index, body] of bodies.entries()) {
    if (index === warmupRequests) meter = startCpuMeter({ watchPostgres: server.backend === 'postgres' });
    const sentAt = performance.now();
    const { logMetric } = await postGraphQL<{ logMetric: MutationOutcome }>(server.url, body);
    const elapsed = performance.now() - sentAt;
    expectType(logMetric, 'LogResult', 'logMetric');
    if (index >= warmupRequests) samples.push(elapsed);
  }
  return { backend: server.backend, latency: summarizeLatencies(samples), cpu: (meter ?? startCpuMeter({ watchPostgres: false })).stop() };
}

// ---------------------------------------------------------------------------
// Reporting

function describeCpu(cpu: CpuReport): string {
  const postgres = cpu.postgresCores === undefined ? '' : `, postgres ${cpu.postgresCores.toFixed(2)} cores`;
  return `node ${cpu.nodeCores.toFixed(2)} cores (event loop ${formatPercent(cpu.eventLoopBusy)} busy)${postgres}`;
}

function printThroughput(result: ThroughputResult): void {
  const r = result.requestLatency;
  const verified =
    result.countedBySql === result.points && result.historiesConfirmed === result.historiesWritten
      ? `readable: ${formatInteger(result.countedBySql)} points by SQL, ${result.historiesConfirmed}/${result.historiesWritten} histories by GraphQL`
      : `NOT ALL READABLE: ${formatInteger(result.countedBySql)} of ${formatInteger(result.points)} points by SQL, ${result.historiesConfirmed}/${result.historiesWritten} histories by GraphQL`;
  console.log(
    `  ${result.label.padEnd(44)} ${formatInteger(result.points).padStart(9)} points in ${(result.wallMs / 1000).toFixed(2)} s = ${formatInteger(result.pointsPerSecond).padStart(7)} points/s\n` +
      `      per request: p50 ${formatMs(r.p50)} ms, p99 ${formatMs(r.p99)} ms, max ${formatMs(r.max)} ms; ${describeCpu(result.cpu)}\n` +
      `      ${verified}`,
  );
}

function printLatency(result: LatencyResult): void {
  const l = result.latency;
  console.log(
    `  logMetric, 1 client, sequential ×${l.count}: p50 ${formatMs(l.p50)} ms, p90 ${formatMs(l.p90)} ms, p99 ${formatMs(l.p99)} ms, max ${formatMs(l.max)} ms, mean ${formatMs(l.mean)} ms\n` +
      `      ${describeCpu(result.cpu)}`,
  );
}

const verdict = (met: boolean) => (met ? 'yes' : 'no');

function summaryTable(throughput: readonly ThroughputResult[], latency: readonly LatencyResult[]): string {
  const rows: string[][] = [];
  for (const backend of ['postgres', 'pglite'] as const) {
    const goal = GOALS.pointsPerSecond[backend];
    for (const t of throughput.filter((result) => result.backend === backend)) {
      rows.push([backend, t.label, `${formatInteger(t.pointsPerSecond)} points/s`, `p50 ${formatMs(t.requestLatency.p50)} / p99 ${formatMs(t.requestLatency.p99)} ms`, `≥ ${formatInteger(goal)}/s`, verdict(t.pointsPerSecond >= goal)]);
    }
    for (const l of latency.filter((result) => result.backend === backend)) {
      const met = l.latency.p50 <= GOALS.logMetricP50Ms && l.latency.p99 <= GOALS.logMetricP99Ms;
      rows.push([backend, `logMetric, 1 client, sequential ×${l.latency.count}`, `${formatInteger(1000 / l.latency.mean)} calls/s`, `p50 ${formatMs(l.latency.p50)} / p99 ${formatMs(l.latency.p99)} ms`, `p50 ≤ ${GOALS.logMetricP50Ms} / p99 ≤ ${GOALS.logMetricP99Ms} ms`, verdict(met)]);
    }
  }
  return markdownTable(['backend', 'case', 'throughput', 'request latency', 'goal', 'met'], rows);
}

function machineLine(): string {
  const processors = cpus();
  const model = processors[0]?.model.trim() ?? 'unknown CPU';
  return `${processors.length} × ${model}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${osType()} ${osRelease()}, Node ${process.version}`;
}

// ---------------------------------------------------------------------------

const openServers = new Set<BenchServer>();

async function benchBackend(server: BenchServer, options: BenchOptions, throughput: ThroughputResult[], latency: LatencyResult[]): Promise<void> {
  console.log(`\n${server.backend}: ${server.description}`);
  const experimentId = await createExperiment(server, `ingest-bench-${Date.now()}`);
  const warmup = await runThroughputCase(server, experimentId, { clients: 4, sharedRun: false }, options.warmupPoints[server.backend], 'warmup');
  console.log(`  warm-up: ${formatInteger(warmup.points)} points at ${formatInteger(warmup.pointsPerSecond)} points/s (not counted)`);

  const cases: ThroughputCase[] = [...options.clientCounts.map((clients) => ({ clients, sharedRun: false })), { clients: Math.max(...options.clientCounts), sharedRun: true }];
  for (const [index, testCase] of cases.entries()) {
    const result = await runThroughputCase(server, experimentId, testCase, options.pointsPerCase[server.backend], `case-${index}`);
    printThroughput(result);
    throughput.push(result);
  }
  const latencyResult = await runLatencyCase(server, experimentId, options.latencyWarmupRequests, options.latencyRequests);
  printLatency(latencyResult);
  latency.push(latencyResult);
}

async function main(): Promise<void> {
  const options = parseOptions();
  console.log(`mlledger ingest benchmark${options.quick ? ' (quick)' : ''}`);
  console.log(`machine: ${machineLine()}`);
  console.log('The load generator runs in the same process as the server, and Postgres on the same host: all share the cores above.');

  const throughput: ThroughputResult[] = [];
  const latency: LatencyResult[] = [];
  const notes: string[] = [];
  for (const backend of options.backends) {
    const started = backend === 'pglite' ? await startPgliteServer() : await startPostgresServer(options.databaseUrl);
    if ('unreachable' in started) {
      const note = `postgres skipped: cannot connect to ${started.unreachable}`;
      console.log(`\n${note}`);
      notes.push(note);
      continue;
    }
    openServers.add(started);
    try {
      await benchBackend(started, options, throughput, latency);
      notes.push(`${backend}: ${started.description.replace(/ in \/.*$|; schema .*$/, '')}`);
    } finally {
      openServers.delete(started);
      await started.dispose();
    }
  }

  console.log(`\n## Ingest benchmark (${new Date().toISOString().slice(0, 10)}${options.quick ? ', quick' : ''})\n`);
  console.log(`Machine: ${machineLine()}. ${notes.join('. ')}.`);
  console.log('Throughput is "until readable": each logBatch returns after its points are in the read models.\n');
  console.log(summaryTable(throughput, latency));
}

/** Ctrl-C must not leave a temp folder or a bench_ schema behind. */
process.once('SIGINT', () => {
  console.error('\ninterrupted: cleaning up');
  void Promise.allSettled([...openServers].map((server) => server.dispose())).then(() => process.exit(130));
});

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  // Everything is closed by now; if some handle still holds the loop open, say so rather than hang.
  setTimeout(() => {
    console.error('bench: handles still open after cleanup; exiting anyway');
    process.exit(process.exitCode ?? 0);
  }, 3_000).unref();
}
