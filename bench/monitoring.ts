/**
 * Monitoring benchmark, on embedded PGlite and on Postgres:
 *  1. ingestion: predictions (with probabilities, latency and six profiled features)
 *     and then their labels, as JSON lines over REST in requests of 5 000, each
 *     request returning once its rows are in the windows (read-your-writes);
 *  2. evaluating a 7-day window over 10 million predictions. Ingesting 10 M rows
 *     here would take long on a 2-core machine, so the 2 016 five-minute buckets of
 *     that week (4 960 labelled predictions each) are written directly, each one
 *     built by the projection's own code from simulated predictions (12 distinct
 *     buckets, repeated). Then: one 7-day window (metrics), 168 hourly windows over
 *     the week, the week's drift over six features, and a monitor's evaluation of
 *     its 7-day window (with and without cached hours), via the library and via
 *     GraphQL over HTTP. Prints figures; asserts nothing.
 *
 *   npm run bench:monitoring                       full run
 *   npm run bench:monitoring -- --quick            small run, to check the bench itself
 *   --backend pglite|postgres|both  --predictions N
 *   DATABASE_URL=postgres://…   Postgres to use (default postgres://postgres@127.0.0.1:5432/test)
 */
import { request as httpRequest } from 'node:http';
import { parseArgs } from 'node:util';
import { BUCKET_MS } from '../src/monitoring/bucketTime.ts';
import { upsertBuckets, type BucketRow } from '../src/projections/monitoringWindowsReadModel.ts';
import { driftWindow, metricsSeries, metricsWindow } from '../src/monitoring/windowQueries.ts';
import { evaluateMonitor } from '../src/monitoring/monitorEvaluation.ts';
import { monitorDefinitionOf } from '../src/monitoring/monitorInput.ts';
import type { SqlExecutor } from '../src/db/sqlDb.ts';
import { startPgliteServer, startPostgresServer, type BackendName, type BenchServer } from './benchServers.ts';
import { prediction, random, referenceProfile, simulatedBucket } from './monitoringWorkload.ts';
import { formatInteger, formatMs, markdownTable } from './stats.ts';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, backend: { type: 'string', default: 'both' }, predictions: { type: 'string' } },
});
const quick = values.quick ?? false;
const backends: BackendName[] = values.backend === 'both' ? ['pglite', 'postgres'] : [values.backend as BackendName];
const total = values.predictions ? Number(values.predictions) : quick ? 20_000 : 200_000;
const BATCH = 5_000;
const WEEK_BUCKETS = (7 * 24 * 60 * 60 * 1000) / BUCKET_MS;
const PER_BUCKET = quick ? 500 : 4_960;
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NOW = Date.UTC(2025, 0, 13, 0, 0, 0);

/**
 * One GraphQL request on a connection of its own (node:http, no agent): a pooled
 * connection left idle while the library cases kept the event loop busy could be
 * closed by the server's keep-alive timeout just as it is reused.
 */
function gql(server: BenchServer, query: string, variables?: Record<string, unknown>): Promise<Record<string, unknown>> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}/graphql`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: Record<string, unknown>; errors?: unknown };
        if (answer.errors) reject(new Error(JSON.stringify(answer.errors)));
        else resolve(answer.data ?? {});
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function post(server: BenchServer, path: string, body: string, contentType = 'application/x-ndjson'): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}/api/2.0/mlledger/monitoring/${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const answer = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`${path}: ${JSON.stringify(answer)}`);
  return answer;
}

async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

async function benchBackend(server: BenchServer): Promise<string[][]> {
  const rows: string[][] = [];
  await gql(server, `mutation { createRegisteredModel(input: { name: "bench" }) { __typename } }`);
  await gql(server, `mutation { createModelVersion(input: { name: "bench", source: "s3://m/1" }) { __typename } }`);
  await gql(server, `mutation { createModelVersion(input: { name: "bench", source: "s3://m/2" }) { __typename } }`);
  const profile = referenceProfile(1);
  for (const version of [1, 2]) await post(server, 'reference-profiles', JSON.stringify({ model: 'bench', version, features: profile }), 'application/json');

  // 1. Ingestion through REST, until readable.
  const rand = random(2);
  const traffic = Array.from({ length: total }, (_, i) => prediction(rand, `r${i}`, NOW - 86_400_000 + Math.floor((i / total) * 86_400_000)));
  const bodies: string[] = [];
  for (let i = 0; i < total; i += BATCH) {
    bodies.push(
      traffic
        .slice(i, i + BATCH)
        .map((p) => JSON.stringify({ model: 'bench', version: 1, requestId: p.requestId, time: p.time, predictedClass: p.predictedClass, probabilities: p.probabilities, latencyMs: p.latencyMs, features: p.features }))
        .join('\n'),
    );
  }
  let started = performance.now();
  for (const body of bodies) await post(server, 'predictions', body);
  const predictionSeconds = (performance.now() - started) / 1000;
  rows.push([server.backend, 'predictions ingested (REST, 5 000 per request, until readable)', `${formatInteger(total / predictionSeconds)} /s`, `${formatInteger(total)} in ${predictionSeconds.toFixed(1)} s`]);

  started = performance.now();
  for (let i = 0; i < total; i += BATCH) {
    await post(server, 'ground-truth', traffic.slice(i, i + BATCH).map((p) => JSON.stringify({ model: 'bench', requestId: p.requestId, label: p.label })).join('\n'));
  }
  const labelSeconds = (performance.now() - started) / 1000;
  rows.push([server.backend, 'labels joined (REST, 5 000 per request, until readable)', `${formatInteger(total / labelSeconds)} /s`, `${formatInteger(total)} in ${labelSeconds.toFixed(1)} s`]);

  // 2. A week of buckets for version 2: 2 016 buckets, written directly.
  const templates = Array.from({ length: 12 }, (_, i) => simulatedBucket(100 + i, PER_BUCKET, profile));
  const { modelId } = (await server.app.backend.db.query<{ modelId: string }>(`select model_id as "modelId" from registered_models where name = 'bench'`)).rows[0];
  const weekStart = NOW - WEEK_BUCKETS * BUCKET_MS;
  started = performance.now();
  for (let b = 0; b < WEEK_BUCKETS; b += 48) {
    const chunk: BucketRow[] = [];
    for (let k = b; k < Math.min(b + 48, WEEK_BUCKETS); k++) {
      const template = templates[k % templates.length];
      chunk.push({ key: { modelId, version: 2, segment: '', bucketStart: weekStart + k * BUCKET_MS }, sums: template.sums, drift: template.drift, updatedAt: NOW });
    }
    await upsertBuckets(server.app.backend.db, chunk);
  }
  const seedSeconds = (performance.now() - started) / 1000;
  const size = (await server.app.backend.db.query<{ bytes: string }>(`select pg_total_relation_size('monitoring_buckets')::text as bytes`)).rows[0].bytes;
  const weekPredictions = WEEK_BUCKETS * PER_BUCKET;
  rows.push([server.backend, `seeded ${formatInteger(WEEK_BUCKETS)} buckets = ${formatInteger(weekPredictions)} labelled predictions`, `${seedSeconds.toFixed(1)} s`, `monitoring_buckets ${(Number(size) / 1e6).toFixed(0)} MB`]);

  const db = server.app.backend.db;
  const query = { modelId, version: 2 };
  const week = { start: weekStart, end: NOW };
  let started2 = performance.now();
  const accuracy = (await metricsWindow(db, query, week)).metrics.accuracy;
  const coldMs = performance.now() - started2;
  rows.push([server.backend, '7-day window, all metrics, first read (library)', `${formatMs(coldMs)} ms`, `accuracy ${accuracy === null ? '-' : accuracy.toFixed(4)}`]);
  const warmMs = await median(3, () => metricsWindow(db, query, week));
  rows.push([server.backend, '7-day window again, nothing changed (hour cache)', `${formatMs(warmMs)} ms`, '']);
  // What a monitor sees a minute later: the newest bucket restated by late labels.
  const newest = templates[0];
  await upsertBuckets(db, [{ key: { modelId, version: 2, segment: '', bucketStart: NOW - BUCKET_MS }, sums: { ...newest.sums, revision: newest.sums.revision + 1 }, drift: newest.drift, updatedAt: NOW }]);
  started2 = performance.now();
  await metricsWindow(db, query, week);
  rows.push([server.backend, '7-day window after its newest bucket changed', `${formatMs(performance.now() - started2)} ms`, '']);
  // A monitor on the week, as the evaluator runs it: first on an executor of its own (no cached hours), then again.
  const monitor = monitorDefinitionOf({ name: 'bench week', version: 2, metric: 'roc_auc', windowMs: WEEK_BUCKETS * BUCKET_MS, threshold: 0.7 }, { monitorId: 'bench', modelId }, NOW);
  const uncached: SqlExecutor = { query: (sql, params) => db.query(sql, params) };
  started2 = performance.now();
  const evaluation = await evaluateMonitor(uncached, monitor, NOW);
  rows.push([server.backend, 'monitor evaluation of a 7-day ROC AUC window, no cached hours', `${formatMs(performance.now() - started2)} ms`, `${formatInteger(evaluation.count)} rows, ${evaluation.verdict}`]);
  const evaluateMs = await median(3, () => evaluateMonitor(uncached, monitor, NOW));
  rows.push([server.backend, 'the same evaluation again (cached hours)', `${formatMs(evaluateMs)} ms`, '']);
  const seriesMs = await median(3, () => metricsSeries(db, query, weekStart, NOW, 3_600_000, 3_600_000));
  rows.push([server.backend, '168 hourly windows over the week (no cache)', `${formatMs(seriesMs)} ms`, '']);
  started2 = performance.now();
  await driftWindow(db, query, week);
  rows.push([server.backend, '7-day drift, 6 features, first read (library)', `${formatMs(performance.now() - started2)} ms`, '']);
  const graphqlMs = await median(3, () =>
    gql(server, `query ($from: Long!, $to: Long!) { modelMonitoring(model: "bench", version: 2) { ... on ModelMonitoring { window(from: $from, to: $to) { accuracy rocAuc logLoss latencyP99 scores { average f1 } } } } }`, {
      from: weekStart,
      to: NOW,
    }),
  );
  rows.push([server.backend, '7-day window over GraphQL/HTTP (cached hours)', `${formatMs(graphqlMs)} ms`, '']);
  return rows;
}

async function main(): Promise<void> {
  console.log(`monitoring bench: ${formatInteger(total)} predictions ingested, a week of ${formatInteger(WEEK_BUCKETS * PER_BUCKET)} predictions evaluated${quick ? ' (quick)' : ''}\n`);
  const table: string[][] = [];
  for (const backend of backends) {
    const server = backend === 'pglite' ? await startPgliteServer() : await startPostgresServer(databaseUrl);
    if ('unreachable' in server) {
      console.log(`postgres skipped: ${server.unreachable}`);
      continue;
    }
    try {
      table.push(...(await benchBackend(server)));
    } finally {
      await server.dispose();
    }
  }
  console.log(markdownTable(['backend', 'case', 'figure', 'detail'], table));
}

await main();
