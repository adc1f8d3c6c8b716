import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { gql, startServerProcess, type ServerProcess } from './support/cliProcess.ts';
import { collect, liveClient, within } from './support/liveClient.ts';
import { startLiveTestApp, type LiveTestApp } from './support/liveTestApp.ts';
import { openTestDb, usingPostgres } from './support/testDb.ts';

interface MetricsData {
  runMetrics: { cursor: string; points: { step: number; value: number }[] };
}
const METRICS = `subscription ($r: [ID!]!) { runMetrics(runIds: $r, fromStart: true) { cursor points { step value } } }`;

/**
 * A subscriber on one server and a writer on another, sharing one database. The
 * subscriber first gets the run's opening point from the replay, and only then are
 * the later points written, so they can only arrive through the live feed of the
 * other server (woken by NOTIFY on Postgres).
 */
async function crossServer(subscriberUrl: string, writerUrl: string): Promise<number[]> {
  const wsUrl = `${subscriberUrl.replace(/^http/, 'ws')}/graphql`;
  const { createRun } = await gql<{ createRun: { id: string } }>(writerUrl, `mutation { createRun(input: { experimentId: "0" }) { ... on Run { id } } }`);
  const log = (step: number) => gql(writerUrl, `mutation ($r: ID!, $s: Long!) { logMetric(runId: $r, key: "loss", value: 0.5, step: $s) { __typename } }`, { r: createRun.id, s: step });
  await log(0);
  const client = liveClient(wsUrl);
  let written = false;
  try {
    const results = await within(
      collect<MetricsData>(
        client,
        METRICS,
        { r: [createRun.id] },
        (all) => all.length >= 6,
        async () => {
          if (written) return;
          written = true;
          for (let step = 1; step <= 5; step++) await log(step);
        },
      ),
      30_000,
      'points from the other server',
    );
    return results.map((r) => r.data!.runMetrics.points[0].step);
  } finally {
    await client.dispose();
  }
}

describe.runIf(usingPostgres)('two server processes on one Postgres', () => {
  const schema = `live_${randomBytes(5).toString('hex')}`;
  const servers: ServerProcess[] = [];

  afterAll(async () => {
    for (const server of servers) server.child.kill('SIGTERM');
    await Promise.all(servers.map((server) => server.exited));
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  });

  it('delivers a metric logged through one server to a subscriber on the other, both ways', async () => {
    const env = { MLLEDGER_DB_SCHEMA: schema, LOG_LEVEL: 'warn' };
    servers.push(await startServerProcess(['--user', 'one'], { ...env, LOG_LEVEL: 'info' }));
    servers.push(await startServerProcess(['--user', 'two'], { ...env, LOG_LEVEL: 'info' }));
    const [a, b] = servers;
    expect(a.url).not.toBe(b.url);
    expect(await crossServer(a.url, b.url)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await crossServer(b.url, a.url)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

// Embedded PGlite belongs to one process (a lock file guards its folder): the nearest
// equivalent is two servers in one process over one database, each with its own feed.
describe.runIf(!usingPostgres)('two servers on one embedded database', () => {
  const apps: LiveTestApp[] = [];
  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
  });

  it('delivers a metric logged through one server to a subscriber on the other', async () => {
    const testDb = await openTestDb();
    apps.push(await startLiveTestApp({ testDb }));
    apps.push(await startLiveTestApp({ testDb: { ...testDb, channel: `${testDb.channel}_b` } }));
    const [a, b] = apps;
    expect(await crossServer(a.url, b.url)).toEqual([0, 1, 2, 3, 4, 5]);
    // The client hung up: its server forgets the subscription.
    const deadline = Date.now() + 10_000;
    while (a.app.live.openStreams > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(a.app.live.feed.subscribers.size + b.app.live.feed.subscribers.size).toBe(0);
    await testDb.drop();
  });
});
