import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore } from '../src/events/eventStore.ts';
import { WrongExpectedVersionError } from '../src/events/eventStore.ts';
import { createPostgresEventStore } from '../src/events/postgres/postgresEventStore.ts';
import { waitUntilVisible } from '../src/migration/waitUntilVisible.ts';
import { testEvent } from './support/eventFactory.ts';
import { backendName, openTestDb, type TestDb } from './support/testDb.ts';

/** The SQL store's appendMany (used by migrate): one transaction, list order, all or nothing, idempotent. */
describe(`appendMany on ${backendName}`, () => {
  let testDb: TestDb;
  let store: EventStore;
  beforeEach(async () => {
    testDb = await openTestDb();
    store = await createPostgresEventStore(testDb.db, { channel: testDb.channel });
  });
  afterEach(async () => {
    await store.close();
    await testDb.drop();
  });

  it('appends to several streams, the same stream twice included, in list order', async () => {
    const [a1, b1, a2] = [testEvent('A1'), testEvent('B1'), testEvent('A2')];
    const results = await store.appendMany!([
      { streamId: 'a', events: [a1], expectedRevision: 'no_stream' },
      { streamId: 'b', events: [b1], expectedRevision: 'no_stream' },
      { streamId: 'a', events: [a2], expectedRevision: 0 },
    ]);
    expect(results.map((r) => r.nextExpectedRevision)).toEqual([0, 0, 1]);
    // Another test's open transaction on the shared server can hold a fresh commit back for a moment.
    await waitUntilVisible(store, results[2].position);
    const log = await store.readAll();
    expect(log.map((e) => [e.type, e.streamId, e.revision])).toEqual([['A1', 'a', 0], ['B1', 'b', 0], ['A2', 'a', 1]]);
    expect(results.map((r) => r.position)).toEqual(log.map((e) => e.position));
  });

  it('writes nothing when one append conflicts', async () => {
    const b0 = await store.appendToStream('b', [testEvent('B0')]);
    const attempt = store.appendMany!([
      { streamId: 'a', events: [testEvent('A1')], expectedRevision: 'no_stream' },
      { streamId: 'b', events: [testEvent('B1')], expectedRevision: 'no_stream' },
    ]);
    await expect(attempt).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(attempt).rejects.toMatchObject({ streamId: 'b', actual: 0 });
    await waitUntilVisible(store, b0.position);
    expect((await store.readAll()).map((e) => e.type)).toEqual(['B0']);
  });

  it('is idempotent by event id: the same list again writes nothing and answers the same', async () => {
    const appends = [
      { streamId: 'a', events: [testEvent('A1'), testEvent('A2')], expectedRevision: 'no_stream' as const },
      { streamId: 'b', events: [testEvent('B1')], expectedRevision: 'no_stream' as const },
    ];
    const first = await store.appendMany!(appends);
    expect(await store.appendMany!(appends)).toEqual(first);
    await waitUntilVisible(store, first[1].position);
    expect(await store.readAll()).toHaveLength(3);
  });
});
