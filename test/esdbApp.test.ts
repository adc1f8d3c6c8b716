import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEsdbEventStore } from '../src/events/esdb/esdbEventStore.ts';
import { buildApp, type App } from '../src/server/buildApp.ts';
import { createLogger } from '../src/server/logger.ts';
import { startEsdbTestServer, type EsdbTestServer } from './support/esdb/esdbTestServer.ts';
import { openTestDb, type TestDb } from './support/testDb.ts';

// The server wired as production wires it with --event-store esdb: events in EventStoreDB (here the
// in-process test double), read models in the test database. Runs in every test mode; the whole suite
// on this adapter is MLLEDGER_TEST_EVENT_STORE=esdb npm test.
describe('the server on the EventStoreDB adapter', () => {
  let server: EsdbTestServer;
  let testDb: TestDb;
  let app: App;
  let url: string;
  beforeAll(async () => {
    server = await startEsdbTestServer();
    testDb = await openTestDb();
    app = await buildApp({ db: testDb.db, channel: testDb.channel, createEventStore: () => createEsdbEventStore({ connectionString: server.url }), port: 0, user: 'alice', logger: createLogger('silent') });
    url = await app.start();
  });
  afterAll(async () => {
    await app?.stop();
    await testDb?.drop();
    await server?.stop();
  });

  async function graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as { data?: T; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data as T;
  }

  it('stores GraphQL and REST writes as EventStoreDB events and reads them back from the read models at once', async () => {
    const created = await graphql<{ createExperiment: { id: string } }>(`mutation { createExperiment(input: { name: "on-esdb" }) { ... on Experiment { id } } }`);
    const experimentId = created.createExperiment.id;
    const run = await (
      await fetch(`${url}/api/2.0/mlflow/runs/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experiment_id: experimentId, run_name: 'r1', start_time: 1 }) })
    ).json() as { run: { info: { run_id: string } } };
    const runId = run.run.info.run_id;
    const logged = await fetch(`${url}/api/2.0/mlflow/runs/log-batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ run_id: runId, metrics: [{ key: 'loss', value: 0.5, timestamp: 2, step: 1 }], params: [{ key: 'lr', value: '0.1' }] }),
    });
    expect(logged.status).toBe(200);

    // Read-your-writes through the adapter's positions: the reads below see every write above.
    const read = await graphql<{ run: { name: string; params: { key: string; value: string }[]; latestMetrics: { key: string; value: number }[] } }>(
      `query($id: ID!) { run(id: $id) { name params { key value } latestMetrics { key value } } }`,
      { id: runId },
    );
    expect(read.run).toMatchObject({ name: 'r1', params: [{ key: 'lr', value: '0.1' }], latestMetrics: [{ key: 'loss', value: 0.5 }] });

    const runEvents = server.log.stream(`run-${runId}`)!.map((r) => r.type);
    expect(runEvents[0]).toBe('RunCreated');
    expect(runEvents).toContain('MetricsLogged');
    expect(server.log.records.some((r) => r.type === 'ExperimentCreated')).toBe(true);
    // No event went to the read-model database.
    const { rows } = await testDb.db.query<{ n: number }>(`select count(*)::int as n from information_schema.tables where table_name = 'events' and table_schema = current_schema()`);
    expect(rows[0].n).toBe(0);
  });
});
