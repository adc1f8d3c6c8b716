/**
 * MLflow REST API benchmark, beside the figures MLflow 3.11's own server (SQLite)
 * reached on this kind of machine (issue 3): log-batch of 1000 metrics, single
 * log-metric, runs/search over many runs with a metric filter and order, and a
 * 100,000-point get-history. The goal is 10× MLflow on each; printed, never asserted.
 *
 *   npm run bench:rest                 full run, PGlite then Postgres
 *   npm run bench:rest -- --quick      a small run, to check the bench itself
 *   --backend pglite|postgres|both  --runs N (runs/search)  --history N (points)
 *   DATABASE_URL=postgres://…          Postgres to use (default postgres://postgres@127.0.0.1:5432/test)
 */
import { cpus, loadavg, totalmem, type as osType, release as osRelease } from 'node:os';
import { parseArgs } from 'node:util';
import { startPgliteServer, startPostgresServer, type BackendName, type BenchServer } from './benchServers.ts';
import type { CpuReport } from './cpuMeter.ts';
import { createExperiment as createGraphqlExperiment, runThroughputCase } from './ingestCases.ts';
import {
  createExperiment,
  METRICS_PER_BATCH,
  runHistoryCase,
  runLogBatchCase,
  runLogMetricCase,
  runSearchAllPagesCase,
  runSearchCase,
  SEARCH_FILTER,
  SEARCH_ORDER,
  seedRuns,
} from './mlflowRestCases.ts';
import { formatInteger, formatMs, formatPercent, markdownTable } from './stats.ts';

/** MLflow 3.11 with SQLite on this kind of machine (issue 3), and the goal: ten times better. */
const MLFLOW = {
  logBatchRequestsPerSecond: 6.4,
  logMetricRequestsPerSecond: 63,
  logMetricP50Ms: 16,
  searchMs: 1000,
  historyMs: 6600,
};
const FACTOR = 10;

interface Options {
  quick: boolean;
  backends: BackendName[];
  runs: number;
  historyPoints: number;
  batchRequests: number;
  logMetricRequests: number;
  databaseUrl: string;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'both' },
      runs: { type: 'string' },
      history: { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  const count = (text: string | undefined, fallback: number, flag: string) => {
    if (text === undefined) return fallback;
    const value = Number(text.replace(/_/g, ''));
    if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${flag} must be a positive integer, got '${text}'`);
    return value;
  };
  const backends: BackendName[] = values.backend === 'both' ? ['pglite', 'postgres'] : values.backend === 'pglite' || values.backend === 'postgres' ? [values.backend] : [];
  if (backends.length === 0) throw new Error(`--backend must be pglite, postgres or both, got '${values.backend}'`);
  return {
    quick,
    backends,
    runs: count(values.runs, quick ? 1_000 : 10_000, 'runs'),
    historyPoints: count(values.history, quick ? 25_000 : 100_000, 'history'),
    batchRequests: quick ? 20 : 100,
    logMetricRequests: quick ? 200 : 1000,
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  };
}

function describeCpu(cpu: CpuReport): string {
  const postgres = cpu.postgresCores === undefined ? '' : `, postgres ${cpu.postgresCores.toFixed(2)}`;
  const others = cpu.machineCores === undefined ? '' : `, others ${Math.max(0, cpu.machineCores - cpu.nodeCores - (cpu.postgresCores ?? 0)).toFixed(2)}`;
  return `cores busy: node ${cpu.nodeCores.toFixed(2)} (event loop ${formatPercent(cpu.eventLoopBusy)})${postgres}${others} of ${cpus().length}`;
}

interface Row {
  backend: BackendName;
  name: string;
  figure: string;
  mlflow: string;
  /** How many times MLflow's figure (higher is better). */
  times: number;
  /** CPU (node + postgres) per request: what the figure would cost with the machine to itself. */
  cpuMs: number;
}

const timesLabel = (times: number) => `${times >= 10 ? times.toFixed(0) : times.toFixed(1)}×`;

async function benchBackend(server: BenchServer, options: Options, rows: Row[]): Promise<void> {
  console.log(`\n${server.backend}: ${server.description}`);
  const experiment = await createExperiment(server, `rest-bench-${Date.now()}`);

  await runLogBatchCase(server, experiment, 2, Math.max(5, options.batchRequests / 10)); // warm-up
  for (const clients of [1, 4]) {
    const result = await runLogBatchCase(server, experiment, clients, Math.round(options.batchRequests / clients));
    const readable = result.readable === result.points ? `all ${formatInteger(result.points)} points readable` : `ONLY ${formatInteger(result.readable)} of ${formatInteger(result.points)} points readable`;
    console.log(
      `  REST log-batch×${METRICS_PER_BATCH}, ${clients} client${clients > 1 ? 's' : ''}: ${result.requestsPerSecond.toFixed(1)} requests/s = ${formatInteger(result.pointsPerSecond)} points/s ` +
        `(p50 ${formatMs(result.latency.p50)} ms, p99 ${formatMs(result.latency.p99)} ms); ${readable}; ${describeCpu(result.cpu)}`,
    );
    rows.push({
      backend: server.backend,
      name: `REST log-batch ×${METRICS_PER_BATCH}, ${clients} client${clients > 1 ? 's' : ''}, until readable`,
      figure: `${result.requestsPerSecond.toFixed(1)} req/s = ${formatInteger(result.pointsPerSecond)} points/s`,
      mlflow: `${MLFLOW.logBatchRequestsPerSecond} req/s`,
      times: result.requestsPerSecond / MLFLOW.logBatchRequestsPerSecond,
      cpuMs: result.cpuMs,
    });
  }
  // The same 1000-point batches through GraphQL (bench/ingestCases.ts), for comparison.
  const graphqlExperiment = await createGraphqlExperiment(server, `rest-bench-graphql-${Date.now()}`);
  const graphql = await runThroughputCase(server, graphqlExperiment, { clients: 1, sharedRun: false, input: 'objects' }, options.batchRequests * METRICS_PER_BATCH, 'graphql');
  const graphqlRequests = graphql.pointsPerSecond / METRICS_PER_BATCH;
  console.log(`  GraphQL logBatch×${METRICS_PER_BATCH}, 1 client: ${graphqlRequests.toFixed(1)} requests/s = ${formatInteger(graphql.pointsPerSecond)} points/s (p50 ${formatMs(graphql.requestLatency.p50)} ms)`);
  rows.push({
    backend: server.backend,
    name: `GraphQL logBatch ×${METRICS_PER_BATCH}, 1 client, until readable`,
    figure: `${graphqlRequests.toFixed(1)} req/s = ${formatInteger(graphql.pointsPerSecond)} points/s`,
    mlflow: `${MLFLOW.logBatchRequestsPerSecond} req/s`,
    times: graphqlRequests / MLFLOW.logBatchRequestsPerSecond,
    cpuMs: ((graphql.cpu.nodeCores + (graphql.cpu.postgresCores ?? 0)) * graphql.wallMs) / (graphql.points / METRICS_PER_BATCH),
  });

  // One client at a time is a latency figure; several show what the server takes in (commits share a disk flush).
  for (const clients of [1, 8]) {
    const logMetric = await runLogMetricCase(server, experiment, Math.round(options.logMetricRequests / 10), options.logMetricRequests, clients);
    const who = clients === 1 ? '1 client, sequential' : `${clients} clients, each sequential`;
    console.log(
      `  REST log-metric, ${who} ×${logMetric.latency.count}: ${logMetric.requestsPerSecond.toFixed(0)} requests/s, p50 ${formatMs(logMetric.latency.p50)} ms, ` +
        `p99 ${formatMs(logMetric.latency.p99)} ms; ${describeCpu(logMetric.cpu)}`,
    );
    rows.push({
      backend: server.backend,
      name: `REST log-metric, ${who}`,
      figure: `${logMetric.requestsPerSecond.toFixed(0)} req/s, p50 ${formatMs(logMetric.latency.p50)} ms, p99 ${formatMs(logMetric.latency.p99)} ms`,
      mlflow: `${MLFLOW.logMetricRequestsPerSecond} req/s, p50 ${MLFLOW.logMetricP50Ms} ms`,
      times: logMetric.requestsPerSecond / MLFLOW.logMetricRequestsPerSecond,
      cpuMs: logMetric.cpuMs,
    });
  }

  const searchExperiment = await createExperiment(server, `rest-bench-search-${Date.now()}`);
  const seed = await seedRuns(server, searchExperiment, options.runs);
  console.log(`  seeded ${formatInteger(seed.runs)} runs (the events of runs/create + log-batch, appended directly) in ${(seed.wallMs / 1000).toFixed(1)} s`);
  const searches = [
    await runSearchCase(server, searchExperiment, `filter + order, max_results 300`, { filter: SEARCH_FILTER, order_by: SEARCH_ORDER, max_results: 300 }, 10),
    await runSearchCase(server, searchExperiment, `filter + order, max_results 1000 (default page)`, { filter: SEARCH_FILTER, order_by: SEARCH_ORDER, max_results: 1000 }, 10),
    await runSearchAllPagesCase(server, searchExperiment, 1000, 3),
  ];
  for (const search of searches) {
    console.log(`  runs/search over ${formatInteger(options.runs)} runs (${SEARCH_FILTER}, ${SEARCH_ORDER[0]}), ${search.label}: ${search.returned} runs, p50 ${formatMs(search.latency.p50)} ms, max ${formatMs(search.latency.max)} ms`);
    rows.push({
      backend: server.backend,
      name: `runs/search over ${formatInteger(options.runs)} runs, ${search.label}`,
      figure: `${formatInteger(search.returned)} runs in ${formatMs(search.latency.p50)} ms (p50)`,
      mlflow: '300 runs in ~1 s',
      times: MLFLOW.searchMs / search.latency.p50,
      cpuMs: search.cpuMs,
    });
  }

  // The planner's statistics: Postgres gathers them by autovacuum in time, PGlite (no background workers) never.
  // Shown apart, as what the same search costs once a table has been analysed.
  await server.app.backend.db.query('analyze runs, latest_metrics, run_params, run_tags');
  const analysed = await runSearchCase(server, searchExperiment, 'filter + order, max_results 1000, after ANALYZE', { filter: SEARCH_FILTER, order_by: SEARCH_ORDER, max_results: 1000 }, 10);
  console.log(`  runs/search as above after ANALYZE of the tracking tables: ${analysed.returned} runs, p50 ${formatMs(analysed.latency.p50)} ms, max ${formatMs(analysed.latency.max)} ms`);
  rows.push({
    backend: server.backend,
    name: `runs/search over ${formatInteger(options.runs)} runs, ${analysed.label}`,
    figure: `${formatInteger(analysed.returned)} runs in ${formatMs(analysed.latency.p50)} ms (p50)`,
    mlflow: '300 runs in ~1 s',
    times: MLFLOW.searchMs / analysed.latency.p50,
    cpuMs: analysed.cpuMs,
  });

  const history = await runHistoryCase(server, experiment, options.historyPoints, 3);
  console.log(
    `  get-history of ${formatInteger(history.points)} points (${history.pages} pages of 25,000): p50 ${formatMs(history.latency.p50)} ms, max ${formatMs(history.latency.max)} ms ` +
      `(logged in ${(history.seedMs / 1000).toFixed(1)} s)`,
  );
  rows.push({
    backend: server.backend,
    name: `metrics/get-history, ${formatInteger(history.points)} points in pages of 25,000`,
    figure: `${formatMs(history.latency.p50)} ms (p50)`,
    mlflow: '100,000 points in ~6.6 s',
    times: (MLFLOW.historyMs * (history.points / 100_000)) / history.latency.p50,
    cpuMs: history.cpuMs,
  });
}

function machineLine(): string {
  const processors = cpus();
  const nodeEnv = process.env.NODE_ENV ? `NODE_ENV=${process.env.NODE_ENV}` : 'NODE_ENV unset';
  return `${processors.length} × ${processors[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${osType()} ${osRelease()}, Node ${process.version} (${nodeEnv})`;
}

async function main(): Promise<void> {
  const options = parseOptions();
  console.log(`mlledger MLflow REST benchmark${options.quick ? ' (quick)' : ''}`);
  const [load] = loadavg();
  console.log(`machine: ${machineLine()}; load average before start ${load.toFixed(2)}${load > cpus().length * 0.25 ? ' (already busy: expect lower, noisier figures)' : ''}`);
  console.log('Server, load generator and database share this machine; every write returns once readable.');
  console.log('"CPU per request" is CPU time of this process (server and load generator) and of Postgres per request (per whole read for the paged cases): about what a request takes with a core to itself.');
  const rows: Row[] = [];
  for (const backend of options.backends) {
    const server = backend === 'pglite' ? await startPgliteServer() : await startPostgresServer(options.databaseUrl);
    if ('unreachable' in server) {
      console.log(`\npostgres skipped: cannot connect to ${server.unreachable}`);
      continue;
    }
    try {
      await benchBackend(server, options, rows);
    } finally {
      await server.dispose();
    }
  }
  console.log(`\n## MLflow REST benchmark (${new Date().toISOString().slice(0, 10)}${options.quick ? ', quick' : ''})\n`);
  console.log(
    markdownTable(
      ['backend', 'case', 'mlledger', 'CPU per request', 'MLflow 3.11 (SQLite)', 'vs MLflow', `goal ≥ ${FACTOR}×`],
      rows.map((row) => [row.backend, row.name, row.figure, `${formatMs(row.cpuMs)} ms`, row.mlflow, timesLabel(row.times), row.times >= FACTOR ? 'met' : 'not met']),
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
