import pg from 'pg';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/server/buildApp.ts';
import { createLogger } from '../src/server/logger.ts';
import { createRun, dumpTracking, startFaultLoad, until } from './support/faultLoad.ts';
import { exactlyOnceViolations, storedValues } from './support/ingestClients.ts';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from './support/privatePostgres.ts';
import { usingPostgres } from './support/testDb.ts';

/** Sessions of the server under test that are LISTENing for other servers' wake-up hints. */
async function listeningSessions(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ n: string }>(`select count(*) as n from pg_stat_activity where backend_type = 'client backend' and application_name = 'mlledger listener'`);
    return Number(rows[0].n);
  } catch {
    return 0;
  } finally {
    await client.end().catch(() => {});
  }
}

interface Points {
  values: number[];
  ended: unknown;
}

/** A live runMetrics subscription over graphql-ws: the values it received, and how it ended (undefined while open). */
function watchRun(client: Client, runId: string): Points {
  const points: Points = { values: [], ended: undefined };
  client.subscribe<{ runMetrics: { points: { value: number }[] } }>(
    { query: 'subscription($r: [ID!]!) { runMetrics(runIds: $r) { points { value } } }', variables: { r: [runId] } },
    {
      next: (value) => points.values.push(...(value.data?.runMetrics.points.map((p) => p.value) ?? [])),
      error: (error) => (points.ended = error),
      complete: () => (points.ended = 'complete'),
    },
  );
  return points;
}

/**
 * A PostgreSQL server of the test's own (restarting the shared one would disturb every
 * other test) restarted under load, once cleanly and once as a crash: requests meanwhile
 * fail with 503 and Retry-After, never 500; then the server reconnects (its pool, its
 * LISTEN connection, its subscription feed) and every acknowledged write is there once.
 */
describe.skipIf(!usingPostgres || !privatePostgresAvailable)('Postgres restarted under load', () => {
  let server: PrivatePostgres;
  let app: App;
  let url: string;
  let joined = 0;

  beforeAll(async () => {
    server = await startPrivatePostgres();
    app = await buildApp({ databaseUrl: server.url, port: 0, user: 'ingest', logger: createLogger('silent'), subscriptions: { onJoin: () => joined++ } });
    url = await app.start();
  }, 180_000);
  afterAll(async () => {
    await app?.stop();
    await server?.stop();
  });

  it.each(['fast', 'immediate'] as const)(
    '%s restart: 503 with Retry-After in between, never 500; reconnects and resumes; every acknowledged write exactly once',
    async (mode) => {
      const runId = await createRun(url);
      const watchedRun = await createRun(url);
      const ws = createClient({ url: `${url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
      try {
        const before = joined;
        const watched = watchRun(ws, watchedRun);
        await until(() => joined > before, 'the subscription to join the live feed');
        expect(await listeningSessions(server.url)).toBe(1);

        const load = startFaultLoad(url, runId);
        await until(() => load.log.acknowledged.size >= 500, 'writes before the restart');
        const restartedAt = { writes: load.log.failures.length, reads: load.reads.length };
        await server.restart(mode);
        const ackedAtRestart = load.log.acknowledged.size;
        await until(() => load.log.acknowledged.size >= ackedAtRestart + 500, 'writes after the restart', 120_000);
        await load.stop();

        // Everything not answered 200 was a clean, retryable refusal; there were some (the restart was felt).
        const statuses = [...load.log.statuses.keys(), ...load.reads.map((r) => r.status)];
        expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
        const refused = [...load.log.failures.slice(restartedAt.writes), ...load.reads.slice(restartedAt.reads).filter((r) => r.status !== 200)];
        expect(refused.length).toBeGreaterThan(0);
        expect(load.log.failures.length + load.reads.filter((r) => r.status !== 200).length).toBe(refused.length);
        for (const failure of refused) {
          expect(failure.status).toBe(503);
          expect(failure.retryAfter).toBe('1');
          expect(failure.body).toMatch(/TEMPORARILY_UNAVAILABLE/);
          expect(failure.body).not.toMatch(/ECONN|select|insert|terminating|\.ts:/i);
        }

        // Reconnected: LISTEN again (other servers' writes wake this one), and the open subscription goes on.
        await until(async () => (await listeningSessions(server.url)) === 1, 'the LISTEN connection to come back', 30_000);
        const marker = 1e9 + (mode === 'fast' ? 1 : 2);
        const logged = await fetch(`${url}/api/2.0/mlflow/runs/log-metric`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ run_id: watchedRun, key: 'marker', value: marker, timestamp: 1 }),
        });
        expect(logged.status).toBe(200);
        await until(() => watched.values.includes(marker) || watched.ended !== undefined, 'the marker on the open subscription', 30_000);
        expect(watched.ended).toBeUndefined();
        expect(watched.values).toEqual([marker]);

        await app.backend.projector.catchUp();
        expect(exactlyOnceViolations(load.log, await storedValues(url, runId))).toEqual([]);
        const live = await dumpTracking(app);
        await app.backend.projector.rebuild();
        expect(await dumpTracking(app)).toEqual(live);
      } finally {
        await ws.dispose();
      }
    },
    240_000,
  );
});
