import { buildApp, type App } from '../../src/server/buildApp.ts';
import { createLogger } from '../../src/server/logger.ts';
import { openTestDb, type TestDb } from './testDb.ts';

export interface TestApp {
  app: App;
  url: string;
  testDb: TestDb;
  /** POSTs a GraphQL operation and returns the parsed body. */
  graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  close(): Promise<void>;
}

/** A real server on a random port over a fresh test database. */
export async function startTestApp(options: { user?: string } = {}): Promise<TestApp> {
  const testDb = await openTestDb();
  const app = await buildApp({ db: testDb.db, channel: testDb.channel, createEventStore: testDb.createEventStore, port: 0, user: options.user ?? 'tester', logger: createLogger('silent') });
  const url = await app.start();
  return {
    app,
    url,
    testDb,
    async graphql(query, variables) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return response.json();
    },
    async close() {
      await app.stop();
      await testDb.drop();
    },
  };
}
