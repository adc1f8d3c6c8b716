/**
 * The measurements behind bench/mlflowRest.ts, on any running server, through
 * MLflow's REST API as the Python client calls it (JSON bodies, keep-alive).
 * Every write returns only once it is readable, so throughput is "until readable".
 */
import { performance } from 'node:perf_hooks';
import { MetricsLogged, ParamsLogged, RunCreated, runStream } from '../src/events/runEvents.ts';
import { commandContext, metadataFor } from '../src/tracking/commandContext.ts';
import { newRunId } from '../src/tracking/ids.ts';
import type { BenchServer } from './benchServers.ts';
import { startLoadWorker } from './ingestCases.ts';
import { startCpuMeter, type CpuReport } from './cpuMeter.ts';
import { summarizeLatencies, type LatencySummary } from './stats.ts';

const API = '/api/2.0/mlflow/';

/**
 * fetch, sent again once if the connection was reset: a keep-alive connection idle
 * past the server's keep-alive timeout (while runs are seeded, say) may be closed
 * just as it is reused. The Python client retries such errors too.
 */
async function send(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
    return fetch(url, init);
  }
}

/** POSTs a prepared JSON body; throws with the answer on anything but 200. */
async function post<T>(server: BenchServer, endpoint: string, body: string): Promise<T> {
  const response = await send(`${server.url}${API}${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${endpoint} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function get<T>(server: BenchServer, endpoint: string, query: Record<string, string | number>): Promise<T> {
  const params = new URLSearchParams(Object.entries(query).map(([key, value]) => [key, String(value)]));
  const response = await send(`${server.url}${API}${endpoint}?${params}`);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${endpoint} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export async function createExperiment(server: BenchServer, name: string): Promise<string> {
  return (await post<{ experiment_id: string }>(server, 'experiments/create', JSON.stringify({ name }))).experiment_id;
}

export async function createRun(server: BenchServer, experimentId: string, runName: string, startTime = Date.now()): Promise<string> {
  const body = { experiment_id: experimentId, run_name: runName, start_time: startTime, tags: [{ key: 'mlflow.user', value: 'bench' }, { key: 'mlflow.source.type', value: 'LOCAL' }] };
  return (await post<{ run: { info: { run_id: string } } }>(server, 'runs/create', JSON.stringify(body))).run.info.run_id;
}

/** Runs tasks with at most `concurrency` in flight. */
async function inParallel<T>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * CPU milliseconds (this process, plus the Postgres processes serving it) per request:
 * unlike wall time, it hardly changes when other work crowds the machine.
 */
export function cpuMsPerRequest(cpu: CpuReport, wallMs: number, requests: number): number {
  return ((cpu.nodeCores + (cpu.postgresCores ?? 0)) * wallMs) / requests;
}

async function countPoints(server: BenchServer, runIds: readonly string[]): Promise<number> {
  const { rows } = await server.app.backend.db.query<{ n: unknown }>('select count(*) as n from metric_history where run_id = any($1::text[])', [runIds]);
  return Number(rows[0].n);
}

// ---------------------------------------------------------------------------
// log-batch of 1000 metrics per request

export const METRICS_PER_BATCH = 1000;
const KEYS = Array.from({ length: 10 }, (_, i) => `train/metric_${i}`);

export interface LogBatchResult {
  clients: number;
  /** CPU per request. */
  cpuMs: number;
  requests: number;
  points: number;
  wallMs: number;
  requestsPerSecond: number;
  pointsPerSecond: number;
  latency: LatencySummary;
  /** Points metric_history holds for the case's runs right after the last answer. */
  readable: number;
  cpu: CpuReport;
}

/** Each client logs `requestsPerClient` batches of 1000 points (10 keys × 100 steps) into a run of its own. */
export async function runLogBatchCase(server: BenchServer, experimentId: string, clients: number, requestsPerClient: number): Promise<LogBatchResult> {
  const runIds = await Promise.all(Array.from({ length: clients }, (_, i) => createRun(server, experimentId, `log-batch-${clients}-${i}`)));
  const stepsPerRequest = METRICS_PER_BATCH / KEYS.length;
  // Bodies are serialised before the clock starts: the figure is the server's, not the load generator's.
  const bodies = runIds.map((runId) =>
    Array.from({ length: requestsPerClient }, (_, r) => {
      const metrics = [];
      for (let s = 0; s < stepsPerRequest; s++) {
        const step = r * stepsPerRequest + s;
        for (const key of KEYS) metrics.push({ key, value: Math.sin(step / 100) + key.length, timestamp: 1_700_000_000_000 + step, step });
      }
      return JSON.stringify({ run_id: runId, metrics, params: [], tags: [] });
    }),
  );
  const latencies: number[] = [];
  const meter = await startCpuMeter(server.listPostgresPids);
  const started = performance.now();
  await Promise.all(
    bodies.map(async (clientBodies) => {
      for (const body of clientBodies) {
        const sent = performance.now();
        await post(server, 'runs/log-batch', body);
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const wallMs = performance.now() - started;
  const cpu = await meter.stop();
  const requests = clients * requestsPerClient;
  return {
    clients,
    cpuMs: cpuMsPerRequest(cpu, wallMs, requests),
    requests,
    points: requests * METRICS_PER_BATCH,
    wallMs,
    requestsPerSecond: requests / (wallMs / 1000),
    pointsPerSecond: (requests * METRICS_PER_BATCH) / (wallMs / 1000),
    latency: summarizeLatencies(latencies),
    readable: await countPoints(server, runIds),
    cpu,
  };
}

// ---------------------------------------------------------------------------
// single log-metric: each client sends one at a time, on a run of its own

export interface LogMetricResult {
  clients: number;
  /** CPU per request. */
  cpuMs: number;
  latency: LatencySummary;
  requestsPerSecond: number;
  cpu: CpuReport;
}

export async function runLogMetricCase(server: BenchServer, experimentId: string, warmup: number, measured: number, clients = 1): Promise<LogMetricResult> {
  const runIds = await Promise.all(Array.from({ length: clients }, (_, i) => createRun(server, experimentId, `log-metric-${clients}-${i}`)));
  const body = (runId: string, step: number) => JSON.stringify({ run_id: runId, run_uuid: runId, key: 'probe', value: step / 7, timestamp: Date.now(), step });
  for (let i = 0; i < warmup; i++) await post(server, 'runs/log-metric', body(runIds[0], i));
  const perClient = Math.ceil(measured / clients);
  // The clients run in a worker thread, as real clients are other processes: their HTTP work does not share the server's event loop.
  const worker = await startLoadWorker(server.url, runIds.map((runId) => Array.from({ length: perClient }, (_, i) => body(runId, warmup + i))), `${API}runs/log-metric`);
  const meter = await startCpuMeter(server.listPostgresPids);
  const started = performance.now();
  const { latencies, failures } = await worker.run();
  const wallMs = performance.now() - started;
  const cpu = await meter.stop();
  if (failures.length > 0) throw new Error(`log-metric failed ${failures.length} times: ${failures[0]}`);
  const requests = perClient * clients;
  return { clients, latency: summarizeLatencies(latencies), requestsPerSecond: requests / (wallMs / 1000), cpu, cpuMs: cpuMsPerRequest(cpu, wallMs, requests) };
}

// ---------------------------------------------------------------------------
// runs/search over many runs with a metric filter and order

export interface SeedResult {
  runs: number;
  wallMs: number;
}

/**
 * `count` runs, each with accuracy/loss metrics and two params. Seeding is not what is
 * measured: instead of 2 × count requests, each run's stream gets at once the events
 * runs/create and log-batch would append (RunCreated, ParamsLogged, MetricsLogged),
 * 16 streams at a time, and the read models are then awaited.
 */
export async function seedRuns(server: BenchServer, experimentId: string, count: number): Promise<SeedResult> {
  const started = performance.now();
  const { store, projector } = server.app.backend;
  const base = Date.now() - count * 1000;
  await inParallel(
    Array.from({ length: count }, (_, i) => i),
    16,
    async (i) => {
      const runId = newRunId();
      const ctx = commandContext('bench');
      // A fixed spread of accuracies, so half the runs pass the filter below.
      const accuracy = ((i * 7919) % count) / count;
      const events = [
        RunCreated.create(
          {
            runId,
            experimentId,
            runName: `search-${i}`,
            userId: 'bench',
            startTime: base + i * 1000,
            artifactUri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
            tags: [{ key: 'mlflow.user', value: 'bench' }, { key: 'mlflow.source.type', value: 'LOCAL' }, { key: 'mlflow.runName', value: `search-${i}` }],
          },
          metadataFor(ctx, 0),
        ),
        ParamsLogged.create({ runId, params: [{ key: 'model', value: i % 2 === 0 ? 'rf' : 'gbm' }, { key: 'seed', value: String(i) }] }, metadataFor(ctx, 1)),
        MetricsLogged.create(
          {
            runId,
            metrics: [
              { key: 'accuracy', value: accuracy, timestamp: base + i, step: 0 },
              { key: 'loss', value: 1 - accuracy, timestamp: base + i, step: 0 },
            ],
          },
          metadataFor(ctx, 2),
        ),
      ];
      await store.appendToStream(runStream(runId), events, { expectedRevision: 'no_stream' });
    },
  );
  await projector.catchUp(600_000);
  return { runs: count, wallMs: performance.now() - started };
}

export interface SearchResult {
  label: string;
  /** Runs in the answer (one page), and whether another page followed. */
  returned: number;
  latency: LatencySummary;
  /** CPU per request (or per pass through all pages). */
  cpuMs: number;
}

export const SEARCH_FILTER = 'metrics.accuracy > 0.5';
export const SEARCH_ORDER = ['metrics.accuracy DESC'];

/** Runs `round` once to warm up, then `repeats` times measured: each round's latency and the CPU per round. */
async function timeRounds(server: BenchServer, repeats: number, round: () => Promise<void>): Promise<{ latency: LatencySummary; cpuMs: number }> {
  await round();
  const latencies: number[] = [];
  const meter = await startCpuMeter(server.listPostgresPids);
  const started = performance.now();
  for (let i = 0; i < repeats; i++) {
    const sent = performance.now();
    await round();
    latencies.push(performance.now() - sent);
  }
  const cpuMs = cpuMsPerRequest(await meter.stop(), performance.now() - started, repeats);
  return { latency: summarizeLatencies(latencies), cpuMs };
}

/** One page of runs/search, repeated `repeats` times; the latency of each whole request. */
export async function runSearchCase(server: BenchServer, experimentId: string, label: string, request: Record<string, unknown>, repeats: number): Promise<SearchResult> {
  const body = JSON.stringify({ experiment_ids: [experimentId], run_view_type: 'ACTIVE_ONLY', ...request });
  let returned = 0;
  const timed = await timeRounds(server, repeats, async () => {
    const answer = await post<{ runs?: unknown[] }>(server, 'runs/search', body);
    returned = answer.runs?.length ?? 0;
  });
  return { label, returned, ...timed };
}

/** Every matching run, page after page of max_results (mlflow.search_runs pages the same way). */
export async function runSearchAllPagesCase(server: BenchServer, experimentId: string, pageSize: number, repeats: number): Promise<SearchResult & { pages: number }> {
  let returned = 0;
  let pages = 0;
  const timed = await timeRounds(server, repeats, async () => {
    let token: string | undefined;
    returned = 0;
    pages = 0;
    do {
      const answer = await post<{ runs?: unknown[]; next_page_token?: string }>(
        server,
        'runs/search',
        JSON.stringify({ experiment_ids: [experimentId], filter: SEARCH_FILTER, order_by: SEARCH_ORDER, max_results: pageSize, page_token: token }),
      );
      returned += answer.runs?.length ?? 0;
      pages++;
      token = answer.next_page_token;
    } while (token);
  });
  return { label: `all matching runs, pages of ${pageSize}`, returned, pages, ...timed };
}

// ---------------------------------------------------------------------------
// get-history of 100,000 points

export interface HistoryResult {
  points: number;
  pages: number;
  latency: LatencySummary;
  seedMs: number;
  /** CPU per whole history read (all pages). */
  cpuMs: number;
}

/** One metric with `points` steps (logged in batches of 1000), read back as the Python client reads it: pages of 25,000. */
export async function runHistoryCase(server: BenchServer, experimentId: string, points: number, repeats: number): Promise<HistoryResult> {
  const runId = await createRun(server, experimentId, 'history');
  const seedStarted = performance.now();
  for (let first = 0; first < points; first += METRICS_PER_BATCH) {
    const metrics = Array.from({ length: Math.min(METRICS_PER_BATCH, points - first) }, (_, i) => ({ key: 'loss', value: 1 / (first + i + 1), timestamp: 1_700_000_000_000 + first + i, step: first + i }));
    await post(server, 'runs/log-batch', JSON.stringify({ run_id: runId, metrics }));
  }
  const seedMs = performance.now() - seedStarted;
  let read = 0;
  let pages = 0;
  const timed = await timeRounds(server, repeats, async () => {
    let token: string | undefined;
    read = 0;
    pages = 0;
    do {
      const answer = await get<{ metrics?: unknown[]; next_page_token?: string }>(server, 'metrics/get-history', { run_id: runId, metric_key: 'loss', max_results: 25_000, ...(token ? { page_token: token } : {}) });
      read += answer.metrics?.length ?? 0;
      pages++;
      token = answer.next_page_token;
    } while (token);
  });
  if (read !== points) throw new Error(`get-history read ${read} points, expected ${points}`);
  return { points: read, pages, ...timed, seedMs };
}
