import { buildApp, type App } from '../../src/server/buildApp.ts';
import { createLogger } from '../../src/server/logger.ts';
import type { SqlDb } from '../../src/db/sqlDb.ts';
import type { LiveHubOptions } from '../../src/subscriptions/liveHub.ts';
import { gql } from './cliProcess.ts';
import { openTestDb, type TestDb } from './testDb.ts';

export interface LiveTestApp {
  app: App;
  url: string;
  wsUrl: string;
  testDb: TestDb;
  /** POSTs a GraphQL operation; throws on errors. */
  gql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** A real server on a random port over a fresh test database (or over a given one), with subscription settings. */
export async function startLiveTestApp(options: { subscriptions?: LiveHubOptions; testDb?: TestDb; db?: SqlDb } = {}): Promise<LiveTestApp> {
  const ownsDb = !options.testDb;
  const testDb = options.testDb ?? (await openTestDb());
  const app = await buildApp({
    db: options.db ?? testDb.db,
    channel: testDb.channel,
    createEventStore: testDb.createEventStore,
    port: 0,
    user: 'tester',
    logger: createLogger('silent'),
    subscriptions: options.subscriptions,
  });
  const url = await app.start();
  return {
    app,
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/graphql`,
    testDb,
    gql: (query, variables) => gql(url, query, variables),
    async close() {
      await app.stop();
      if (ownsDb) await testDb.drop();
    },
  };
}
