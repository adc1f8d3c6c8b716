import { buildApp, type App } from '../../src/server/buildApp.ts';
import { createLogger } from '../../src/server/logger.ts';
import { buildUi } from '../../src/ui/buildUi.ts';
import type { UiFiles } from '../../src/ui/uiFiles.ts';
import { gql } from './cliProcess.ts';
import { openTestDb, type TestDb } from './testDb.ts';

let build: Promise<UiFiles> | undefined;

/** The UI built from the current sources, once per test process (in memory: parallel files never race on web/dist). */
export function builtUi(): Promise<UiFiles> {
  build ??= buildUi();
  return build;
}

export interface UiTestApp {
  app: App;
  url: string;
  /** POSTs a GraphQL operation; throws on errors. */
  gql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** A real server serving the freshly built UI, over a fresh test database; monitoring schedules off (tests evaluate by hand). */
export async function startUiTestApp(options: { user?: string } = {}): Promise<UiTestApp & { testDb: TestDb }> {
  const testDb = await openTestDb();
  const app = await buildApp({
    db: testDb.db,
    channel: testDb.channel,
    createEventStore: testDb.createEventStore,
    port: 0,
    user: options.user ?? 'alice',
    logger: createLogger('silent'),
    ui: await builtUi(),
    monitoring: { evaluateEveryMs: 0, deliverEveryMs: 0, onNewDataAfterMs: 0 },
  });
  const url = await app.start();
  return {
    app,
    url,
    testDb,
    gql: (query, variables) => gql(url, query, variables),
    async close() {
      await app.stop();
      await testDb.drop();
    },
  };
}
