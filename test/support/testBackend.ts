import { openBackend, type Backend } from '../../src/server/openBackend.ts';
import { openTestDb, type TestDb } from './testDb.ts';

export interface TestBackend extends Backend {
  testDb: TestDb;
}

/** A full backend (event store, projector, tracking) on a fresh test database. */
export async function openTestBackend(): Promise<TestBackend> {
  const testDb = await openTestDb();
  const backend = await openBackend({ db: testDb.db, channel: testDb.channel, createEventStore: testDb.createEventStore });
  return {
    ...backend,
    testDb,
    async close() {
      await backend.close();
      await testDb.drop();
    },
  };
}
