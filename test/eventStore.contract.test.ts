import { createPostgresEventStore } from '../src/events/postgres/postgresEventStore.ts';
import { eventStoreContract } from './support/eventStoreContract.ts';
import { backendName, openTestDb } from './support/testDb.ts';

eventStoreContract(backendName, async () => {
  const testDb = await openTestDb();
  const store = await createPostgresEventStore(testDb.db, { channel: testDb.channel });
  return {
    store,
    async close() {
      await store.close();
      await testDb.drop();
    },
  };
}, { dropsSubscriptions: 'the Postgres store follows the log by polling, with no server-side subscription to drop' });
