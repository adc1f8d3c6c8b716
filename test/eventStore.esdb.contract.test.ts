import { describe } from 'vitest';
import { createEsdbEventStore } from '../src/events/esdb/esdbEventStore.ts';
import { startEsdbTestServer } from './support/esdb/esdbTestServer.ts';
import { eventStoreContract } from './support/eventStoreContract.ts';

// The same contract as Postgres/PGlite, on the EventStoreDB adapter: first against the in-process
// gRPC test double (both append paths the client has), then against a real server when EVENTSTORE_URL is set.
for (const batchAppend of [true, false]) {
  eventStoreContract(
    `EventStoreDB test server (${batchAppend ? 'BatchAppend' : 'Append'})`,
    async () => {
      const server = await startEsdbTestServer({ batchAppend });
      const store = await createEsdbEventStore({ connectionString: server.url });
      return {
        store,
        dropSubscriptions: async () => server.dropSubscriptions(),
        async close() {
          await store.close();
          await server.stop();
        },
      };
    },
    { dropsSubscriptions: true },
  );
}

const realServer = process.env.EVENTSTORE_URL;
describe.skipIf(!realServer)(`real EventStoreDB${realServer ? ` at ${realServer}` : ' (skipped: set EVENTSTORE_URL, e.g. esdb://localhost:2113?tls=false, to run)'}`, () => {
  eventStoreContract(
    'real EventStoreDB',
    async () => {
      const store = await createEsdbEventStore({ connectionString: realServer! });
      return { store, close: () => store.close() };
    },
    { dropsSubscriptions: 'a real server cannot be told to drop subscriptions from here' },
  );
});
