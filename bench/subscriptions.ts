/**
 * Subscription and downsampling benchmark. Prints figures; asserts nothing.
 *
 *   npm run bench:subscriptions                  full run (a few minutes)
 *   npm run bench:subscriptions -- --quick       short run, to check the bench itself
 *   --backend pglite|postgres|both  --subscribers 1,100,1000  --series-points N
 *   DATABASE_URL=postgres://…                    Postgres to use (default postgres://postgres@127.0.0.1:5432/test)
 *
 * Live cases run `mlledger serve` as a child process and the subscribers (one
 * WebSocket each, graphql-ws) in this process: latency from a logMetric mutation's
 * acknowledgement to receipt by every subscriber, and points per second delivered.
 * The downsampling case times GraphQL queries over HTTP on a server in this process.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startPgliteServer, startPostgresServer, type BackendName, type BenchServer } from './benchServers.ts';
import { seedSeries, timeQuery, type DownsampleResult } from './downsampleCases.ts';
import { createRunWithOpeningPoint, measureDelivery, measureFanOutLatency, measureReplay, openSubscribers, type DeliveryResult, type LatencyResult, type ReplayResult } from './liveCases.ts';
import { startServerProcess, type ServerProcess } from './serverProcess.ts';
import { formatInteger, formatMs, markdownTable } from './stats.ts';
import { graphqlRequestBody, postGraphQL } from './graphqlClient.ts';

interface Options {
  quick: boolean;
  backends: BackendName[];
  subscriberCounts: number[];
  seriesPoints: number;
  databaseUrl: string;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'both' },
      subscribers: { type: 'string' },
      'series-points': { type: 'string' },
    },
  });
  const backends: BackendName[] = values.backend === 'both' ? ['pglite', 'postgres'] : values.backend === 'pglite' || values.backend === 'postgres' ? [values.backend] : [];
  if (backends.length === 0) throw new Error(`--backend must be pglite, postgres or both, got '${values.backend}'`);
  const counts = (values.subscribers ?? '1,100,1000').split(',').map((c) => Number(c.trim()));
  if (counts.some((c) => !Number.isSafeInteger(c) || c < 1)) throw new Error(`--subscribers must be positive integers, got '${values.subscribers}'`);
  const seriesPoints = Number((values['series-points'] ?? '1000000').replace(/_/g, ''));
  if (!Number.isSafeInteger(seriesPoints) || seriesPoints < 1000) throw new Error(`--series-points must be at least 1000, got '${values['series-points']}'`);
  return { quick: values.quick ?? false, backends, subscriberCounts: counts, seriesPoints, databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' };
}

/** A server process on a fresh data folder or Postgres schema, and how to remove it. */
async function serverFor(backend: BackendName, databaseUrl: string): Promise<{ server: ServerProcess; dispose(): Promise<void> }> {
  if (backend === 'pglite') {
    const dataDir = await mkdtemp(join(tmpdir(), 'mlledger-live-bench-'));
    const server = await startServerProcess(['--data-dir', dataDir, '--user', 'bench'], { DATABASE_URL: '' });
    return { server, dispose: () => server.stop().then(() => rm(dataDir, { recursive: true, force: true })) };
  }
  const schema = `bench_live_${randomBytes(5).toString('hex')}`;
  const server = await startServerProcess(['--user', 'bench'], { DATABASE_URL: databaseUrl, MLLEDGER_DB_SCHEMA: schema });
  return {
    server,
    async dispose() {
      await server.stop();
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    },
  };
}

async function liveCases(backend: BackendName, options: Options): Promise<{ latency: LatencyResult[]; delivery: DeliveryResult[]; replay: ReplayResult[] }> {
  const { server, dispose } = await serverFor(backend, options.databaseUrl);
  const latency: LatencyResult[] = [];
  const delivery: DeliveryResult[] = [];
  const replay: ReplayResult[] = [];
  try {
    for (const count of options.subscriberCounts) {
      // A fresh run per size, so subscribers replay only its opening point.
      const runId = await createRunWithOpeningPoint(server.url);
      const opened = Date.now();
      const subscribers = await openSubscribers(server.url, runId, count);
      console.log(`  ${backend}: ${count} subscribers connected and replayed in ${Date.now() - opened} ms`);
      try {
        const writes = options.quick ? (count >= 1000 ? 5 : 20) : count >= 1000 ? 30 : count >= 100 ? 60 : 200;
        const result = await measureFanOutLatency(server.url, runId, subscribers, writes);
        latency.push(result);
        console.log(
          `  ${backend}: ${count} subscribers, ${writes} sequential logMetric: after ack p50 ${formatMs(result.afterAck.p50)} ms, p99 ${formatMs(result.afterAck.p99)} ms; ` +
            `after send p50 ${formatMs(result.afterSend.p50)} ms, p99 ${formatMs(result.afterSend.p99)} ms; ${Math.round(result.beforeAck * 100)}% before the ack${result.missing ? `; ${result.missing} MISSING` : ''}`,
        );
        const batches = options.quick ? (count >= 1000 ? 1 : 3) : count >= 1000 ? 2 : count >= 100 ? 10 : 40;
        const d = await measureDelivery(server.url, runId, subscribers, batches, 1_000_000);
        delivery.push(d);
        console.log(
          `  ${backend}: ${count} subscribers, ${formatInteger(d.pointsWritten)} points in batches of 1000: ${formatInteger(d.pointsDelivered)} delivered in ${d.seconds.toFixed(2)} s = ` +
            `${formatInteger(d.deliveredPerSecond)} points/s delivered (written at ${formatInteger(d.writtenPerSecond)} points/s)`,
        );
      } finally {
        await subscribers.close();
      }
      if (count <= 100) {
        // The same run replayed from its start by `count` subscribers opening at once.
        const points = 1 + latency[latency.length - 1].writes + delivery[delivery.length - 1].pointsWritten;
        const r = await measureReplay(server.url, runId, count, points);
        replay.push(r);
        console.log(`  ${backend}: ${count} new subscribers replaying ${formatInteger(points)} points each: ${r.seconds.toFixed(2)} s = ${formatInteger(r.deliveredPerSecond)} points/s delivered`);
      }
    }
  } finally {
    await dispose();
  }
  return { latency, delivery, replay };
}

async function downsampleCases(backend: BackendName, options: Options): Promise<DownsampleResult[]> {
  const server: BenchServer | { unreachable: string } = backend === 'pglite' ? await startPgliteServer() : await startPostgresServer(options.databaseUrl);
  if ('unreachable' in server) throw new Error(server.unreachable);
  try {
    const create = async () =>
      (await postGraphQL<{ createRun: { id: string } }>(server.url, graphqlRequestBody(`mutation { createRun(input: { experimentId: "0" }) { ... on Run { id } } }`))).createRun.id;
    const runId = await create();
    const seeded = Date.now();
    await seedSeries(server.app.backend.db, runId, 'loss', options.seriesPoints);
    const runs = 10;
    const perRun = Math.floor(options.seriesPoints / runs);
    const many: string[] = [];
    for (let i = 0; i < runs; i++) {
      const id = await create();
      await seedSeries(server.app.backend.db, id, 'acc', perRun);
      many.push(id);
    }
    console.log(`  ${backend}: seeded ${formatInteger(options.seriesPoints * 2)} points in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
    const repeat = options.quick ? 3 : 7;
    type One = { run: { downsampledMetricHistory: { totalPoints: number; points: unknown[] } } };
    const one = (data: unknown) => ({ total: (data as One).run.downsampledMetricHistory.totalPoints, returned: (data as One).run.downsampledMetricHistory.points.length });
    const curve = `query ($r: ID!, $a: MetricAxis) { run(id: $r) { downsampledMetricHistory(key: "loss", maxPoints: 1000, axis: $a) { totalPoints points { step timestamp value } } } }`;
    const results = [
      await timeQuery(server.url, `1 run × ${formatInteger(options.seriesPoints)} points → 1,000 (M4 by step)`, curve, { r: runId, a: 'STEP' }, repeat, one),
      await timeQuery(server.url, `1 run × ${formatInteger(options.seriesPoints)} points → 1,000 (M4 by time)`, curve, { r: runId, a: 'TIMESTAMP' }, repeat, one),
      await timeQuery(
        server.url,
        `${runs} runs × ${formatInteger(perRun)} points → 1,000 each (metricSeries)`,
        `query ($r: [ID!]!) { metricSeries(runIds: $r, key: "acc", maxPoints: 1000) { totalPoints points { step value } } }`,
        { r: many },
        repeat,
        (data) => {
          const series = (data as { metricSeries: { totalPoints: number; points: unknown[] }[] }).metricSeries;
          return { total: series.reduce((n, s) => n + s.totalPoints, 0), returned: series.reduce((n, s) => n + s.points.length, 0) };
        },
      ),
    ];
    for (const r of results) {
      console.log(`  ${backend}: ${r.label}: ${formatInteger(r.returned)} of ${formatInteger(r.totalPoints)} points, p50 ${formatMs(r.latency.p50)} ms, max ${formatMs(r.latency.max)} ms (×${r.latency.count})`);
    }
    return results;
  } finally {
    await server.dispose();
  }
}

async function main(): Promise<void> {
  const options = parseOptions();
  const [load] = loadavg();
  console.log(`mlledger subscription bench${options.quick ? ' (quick)' : ''}: ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}; load average before start ${load.toFixed(2)}`);
  const rows: string[][] = [];
  for (const backend of options.backends) {
    const { latency, delivery, replay } = await liveCases(backend, options);
    for (const l of latency) {
      const who = `${l.subscribers} subscriber${l.subscribers > 1 ? 's' : ''} (×${l.writes} writes)`;
      rows.push([backend, `mutation ack → receipt, ${who}`, `p50 ${formatMs(l.afterAck.p50)} ms / p99 ${formatMs(l.afterAck.p99)} ms (${Math.round(l.beforeAck * 100)}% arrive before the ack)`]);
      rows.push([backend, `mutation sent → receipt, ${who}`, `p50 ${formatMs(l.afterSend.p50)} ms / p99 ${formatMs(l.afterSend.p99)} ms`]);
    }
    for (const d of delivery) {
      rows.push([backend, `live points delivered, ${d.subscribers} subscriber${d.subscribers > 1 ? 's' : ''} (writer at ${formatInteger(d.writtenPerSecond)} points/s)`, `${formatInteger(d.deliveredPerSecond)} points/s`]);
    }
    for (const r of replay) rows.push([backend, `replay from start, ${r.subscribers} subscriber${r.subscribers > 1 ? 's' : ''} × ${formatInteger(r.pointsEach)} points`, `${formatInteger(r.deliveredPerSecond)} points/s`]);
    for (const r of await downsampleCases(backend, options)) rows.push([backend, r.label, `p50 ${formatMs(r.latency.p50)} ms`]);
  }
  console.log(`\n${markdownTable(['backend', 'case', 'figure'], rows)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
