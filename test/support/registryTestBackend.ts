import { openBackend, type RegistryBackend } from '../../src/server/openBackend.ts';
import { openTestDb, type TestDb } from './testDb.ts';

export interface RegistryTestBackend extends RegistryBackend {
  testDb: TestDb;
}

/** A full backend (tracking and model registry) on a fresh test database. */
export async function openRegistryTestBackend(): Promise<RegistryTestBackend> {
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
