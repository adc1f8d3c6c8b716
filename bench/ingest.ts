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
import { cpus, loadavg, totalmem, type as osType, release as osRelease } from 'node:os';
import { parseArgs } from 'node:util';
import { startPgliteServer, startPostgresServer, type BackendName, type BenchServer } from './benchServers.ts';
import type { CpuReport } from './cpuMeter.ts';
import { createExperiment, runLatencyCase, runThroughputCase, type LatencyResult, type ThroughputCase, type ThroughputResult } from './ingestCases.ts';
import { formatInteger, formatMs, formatPercent, markdownTable } from './stats.ts';

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
// Reporting

function describeCpu(cpu: CpuReport): string {
  const postgres = cpu.postgresCores === undefined ? '' : `, postgres ${cpu.postgresCores.toFixed(2)}`;
  const others = cpu.machineCores === undefined ? '' : `, others ${Math.max(0, cpu.machineCores - cpu.nodeCores - (cpu.postgresCores ?? 0)).toFixed(2)}`;
  return `cores busy: node ${cpu.nodeCores.toFixed(2)} (event loop ${formatPercent(cpu.eventLoopBusy)} busy)${postgres}${others} of ${cpus().length}`;
}

function printThroughput(result: ThroughputResult): void {
  const r = result.requestLatency;
  const verified =
    result.countedBySql === result.points && result.historiesConfirmed === result.historiesWritten
      ? `readable: ${formatInteger(result.countedBySql)} points by SQL, ${result.historiesConfirmed}/${result.historiesWritten} histories by GraphQL`
      : `NOT ALL READABLE: ${formatInteger(result.countedBySql)} of ${formatInteger(result.points)} points by SQL, ${result.historiesConfirmed}/${result.historiesWritten} histories by GraphQL`;
  const failed = result.failedRequests > 0 ? `\n      ${result.failedRequests} requests FAILED, e.g. ${result.firstFailure}` : '';
  console.log(
    `  ${result.label.padEnd(44)} ${formatInteger(result.points).padStart(9)} points in ${(result.wallMs / 1000).toFixed(2)} s = ${formatInteger(result.pointsPerSecond).padStart(7)} points/s\n` +
      `      per request: p50 ${formatMs(r.p50)} ms, p99 ${formatMs(r.p99)} ms, max ${formatMs(r.max)} ms; ${describeCpu(result.cpu)}\n` +
      `      ${verified}${failed}`,
  );
}

function printLatency(result: LatencyResult): void {
  const l = result.latency;
  console.log(
    `  logMetric, 1 client, sequential ×${l.count}: p50 ${formatMs(l.p50)} ms, p90 ${formatMs(l.p90)} ms, p99 ${formatMs(l.p99)} ms, max ${formatMs(l.max)} ms, mean ${formatMs(l.mean)} ms\n` +
      `      ${describeCpu(result.cpu)}` +
      (result.failedRequests > 0 ? `\n      ${result.failedRequests} requests FAILED, e.g. ${result.firstFailure}` : ''),
  );
}

const verdict = (met: boolean) => (met ? 'yes' : 'no');

function summaryTable(throughput: readonly ThroughputResult[], latency: readonly LatencyResult[]): string {
  const rows: string[][] = [];
  for (const backend of ['postgres', 'pglite'] as const) {
    const goal = GOALS.pointsPerSecond[backend];
    for (const t of throughput.filter((result) => result.backend === backend)) {
      const failed = t.failedRequests > 0 ? ` (${t.failedRequests} failed)` : '';
      rows.push([backend, t.label, `${formatInteger(t.pointsPerSecond)} points/s${failed}`, `p50 ${formatMs(t.requestLatency.p50)} / p99 ${formatMs(t.requestLatency.p99)} ms`, `≥ ${formatInteger(goal)}/s`, verdict(t.pointsPerSecond >= goal)]);
    }
    for (const l of latency.filter((result) => result.backend === backend)) {
      const met = l.latency.p50 <= GOALS.logMetricP50Ms && l.latency.p99 <= GOALS.logMetricP99Ms;
      rows.push([backend, `logMetric, 1 client, sequential ×${l.latency.count}`, `${formatInteger(1000 / l.latency.mean)} calls/s`, `p50 ${formatMs(l.latency.p50)} / p99 ${formatMs(l.latency.p99)} ms`, `p50 ≤ ${GOALS.logMetricP50Ms} / p99 ≤ ${GOALS.logMetricP99Ms} ms`, verdict(met)]);
    }
  }
  return markdownTable(['backend', 'case', 'throughput', 'request latency', 'goal', 'met'], rows);
}

/** The 1-minute load average before we start: other work on the machine skews every figure here. */
function loadLine(): string {
  const [oneMinute] = loadavg();
  const warning = oneMinute > cpus().length * 0.25 ? ' (the machine is already busy: expect lower, noisier figures)' : '';
  return `load average before start: ${oneMinute.toFixed(2)}${warning}`;
}

function machineLine(): string {
  const processors = cpus();
  const model = processors[0]?.model.trim() ?? 'unknown CPU';
  // graphql-js runs extra instanceof checks unless NODE_ENV=production: it changes the figures.
  const nodeEnv = process.env.NODE_ENV ? `NODE_ENV=${process.env.NODE_ENV}` : 'NODE_ENV unset';
  return `${processors.length} × ${model}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${osType()} ${osRelease()}, Node ${process.version} (${nodeEnv})`;
}

// ---------------------------------------------------------------------------

const openServers = new Set<BenchServer>();

async function benchBackend(server: BenchServer, options: BenchOptions, throughput: ThroughputResult[], latency: LatencyResult[]): Promise<void> {
  console.log(`\n${server.backend}: ${server.description}`);
  const experimentId = await createExperiment(server, `ingest-bench-${Date.now()}`);
  const warmup = await runThroughputCase(server, experimentId, { clients: 4, sharedRun: false, input: 'series' }, options.warmupPoints[server.backend], 'warmup');
  console.log(`  warm-up: ${formatInteger(warmup.points)} points at ${formatInteger(warmup.pointsPerSecond)} points/s (not counted)`);

  const most = Math.max(...options.clientCounts);
  const cases: ThroughputCase[] = [
    ...options.clientCounts.map((clients) => ({ clients, sharedRun: false, input: 'series' as const })),
    { clients: most, sharedRun: true, input: 'series' },
    { clients: most, sharedRun: false, input: 'objects' },
  ];
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
  console.log(`machine: ${machineLine()}; ${loadLine()}`);
  console.log('The server runs in this process; the logBatch clients in a worker thread of it (the single logMetric client on the main thread); Postgres on the same host: all share the cores above.');

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
  console.log('Throughput is "until readable": each logBatch returns after its points are in the read models.');
  const cpuReports = [...throughput.map((t) => t.cpu), ...latency.map((l) => l.cpu)];
  const othersCores = Math.max(0, ...cpuReports.map((cpu) => (cpu.machineCores ?? 0) - cpu.nodeCores - (cpu.postgresCores ?? 0)));
  console.log(`Load generator, server and database share the machine; other processes used up to ${othersCores.toFixed(2)} cores during the measurements.\n`);
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
