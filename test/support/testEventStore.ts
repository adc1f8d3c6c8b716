import type { SqlDb } from '../../src/db/sqlDb.ts';
import type { EventStore } from '../../src/events/eventStore.ts';
import { createEsdbEventStore } from '../../src/events/esdb/esdbEventStore.ts';
import { startEsdbTestServer, type EsdbTestServer } from './esdb/esdbTestServer.ts';

/**
 * Which event store the application tests put behind the backend:
 * MLLEDGER_TEST_EVENT_STORE=esdb runs them on the EventStoreDB adapter against
 * an in-process test server (one per test database); otherwise the events live
 * in the test database itself (Postgres/PGlite). Read models stay in the test
 * database either way.
 */
export const testEventStoreKind: 'esdb' | 'sql' = process.env.MLLEDGER_TEST_EVENT_STORE === 'esdb' ? 'esdb' : 'sql';

export interface TestEventStore {
  /** For openBackend/buildApp; undefined means the default store in the read-model database. */
  createEventStore?: (readModelDb: SqlDb) => Promise<EventStore>;
  esdbServer?: EsdbTestServer;
  /** For mlledger child processes (serve, CLI commands): the settings that select this event store. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export async function openTestEventStore(): Promise<TestEventStore> {
  if (testEventStoreKind === 'sql') return { env: {}, close: async () => {} };
  const server = await startEsdbTestServer();
  return {
    esdbServer: server,
    createEventStore: () => createEsdbEventStore({ connectionString: server.url }),
    env: { MLLEDGER_EVENT_STORE: 'esdb', EVENTSTORE_URL: server.url },
    close: () => server.stop(),
  };
}

/**
 * Forges one field of a stored event's data (or metadata) behind the store's
 * back (tamper tests): an UPDATE with the immutability trigger off on
 * Postgres/PGlite, an in-place edit of the test server's log on EventStoreDB.
 */
export async function tamperStoredEvent(
  target: { db: SqlDb; testEvents: TestEventStore },
  streamId: string,
  revision: number,
  field: string,
  value: unknown,
  part: 'data' | 'metadata' = 'data',
): Promise<void> {
  const server = target.testEvents.esdbServer;
  if (server) {
    const record = server.log.stream(streamId)?.[revision];
    if (!record) throw new Error(`no event ${streamId}@${revision} to tamper with`);
    const key = part === 'data' ? 'data' : 'customMetadata';
    const stored = JSON.parse(Buffer.from(record[key]).toString('utf8')) as Record<string, unknown>;
    record[key] = Buffer.from(JSON.stringify({ ...stored, [field]: value }), 'utf8');
    return;
  }
  await target.db.query('alter table events disable trigger events_immutable');
  try {
    // The column name comes from the closed set above, never from input.
    await target.db.query(`update events set ${part} = jsonb_set(${part}::jsonb, $3::text[], $4::jsonb) where stream_id = $1 and stream_revision = $2`, [streamId, revision, [field], JSON.stringify(value)]);
  } finally {
    await target.db.query('alter table events enable trigger events_immutable');
  }
}
