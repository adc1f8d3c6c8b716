import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlExecutor } from '../src/db/sqlDb.ts';
import { createPostgresEventStore } from '../src/events/postgres/postgresEventStore.ts';
import { testEvent } from './support/eventFactory.ts';
import { openTestDb, usingPostgres, type TestDb } from './support/testDb.ts';

/** Pages of the events table this transaction has read so far (Postgres's per-transaction statistics). */
async function eventPagesRead(tx: SqlExecutor): Promise<number> {
  const { rows } = await tx.query<{ pages: string | number }>(`select pg_stat_get_xact_blocks_fetched('events'::regclass) as pages`);
  return Number(rows[0].pages);
}

async function appendOne(tx: SqlExecutor, streamId: string, eventId: string = randomUUID()): Promise<{ next_revision: string | number }> {
  const event = testEvent('Tested', { padding: 'x'.repeat(200) });
  const { rows } = await tx.query<{ next_revision: string | number }>(
    'select * from mlledger_append_events($1, $2, $3::uuid[], $4::text[], $5::int[], $6::json[], $7::json[], $8)',
    [streamId, 'any', [eventId], [event.type], [event.version], [JSON.stringify(event.data)], [JSON.stringify(event.metadata)], null],
  );
  return rows[0];
}

// A training run is one stream, and a long run appends to it for hours: what one append
// costs must not grow with the stream. Measured in pages read, not in time.
describe('what an append costs (Postgres store)', () => {
  let testDb: TestDb;
  beforeAll(async () => {
    testDb = await openTestDb();
    await (await createPostgresEventStore(testDb.db, { channel: testDb.channel })).close();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('reads a handful of pages per append, with 3,000 events in the stream, among many short ones, on a generic plan', async () => {
    const streamId = `long-${randomUUID().slice(0, 8)}`;
    await testDb.db.transaction(async (tx) => {
      // One transaction: the stream's rows are not yet all-visible, so a plan that walks the
      // stream must visit its heap pages. A generic plan is what a function's cached statements
      // settle on after a few calls; forcing it makes the first call show it.
      await tx.query('set local plan_cache_mode = force_generic_plan');
      const events = Array.from({ length: 3000 }, () => testEvent('Tested', { padding: 'x'.repeat(200) }));
      await tx.query(
        'select * from mlledger_append_events($1, $2, $3::uuid[], $4::text[], $5::int[], $6::json[], $7::json[], $8)',
        [streamId, 'no_stream', events.map((e) => e.metadata.eventId), events.map((e) => e.type), events.map((e) => e.version), events.map((e) => JSON.stringify(e.data)), events.map((e) => JSON.stringify(e.metadata)), null],
      );
      // Among many short streams, as runs are: the statistics then say a stream holds about one event,
      // which is what made a cached plan filter the whole stream rather than probe for the ids.
      await tx.query(
        `insert into events (stream_id, stream_revision, event_id, type, version, data, metadata)
         select 'short-' || g, 0, gen_random_uuid(), 'Tested', 1, '{}', '{}' from generate_series(1, 6000) as g`,
      );
      await tx.query('analyze events');
      const before = await eventPagesRead(tx);
      const appended = await appendOne(tx, streamId);
      const afterNew = await eventPagesRead(tx);
      expect(Number(appended.next_revision)).toBe(3000);
      // The stream fills ~100 pages; a new event needs its own page and a look at its revision's row.
      expect(afterNew - before).toBeLessThan(20);

      // The idempotent path too: repeating an appended event's id finds it by index, not by a walk.
      const repeatedId = events[1234].metadata.eventId;
      const beforeRepeat = await eventPagesRead(tx);
      const repeated = await appendOne(tx, streamId, repeatedId);
      expect(Number(repeated.next_revision)).toBe(1234);
      expect((await eventPagesRead(tx)) - beforeRepeat).toBeLessThan(20);
    });
  });
  it.skipIf(!usingPostgres)('compresses a large event with lz4 on a server that has it, and reads it back as written', async () => {
    const store = await createPostgresEventStore(testDb.db, { channel: testDb.channel });
    try {
      const streamId = `large-${randomUUID().slice(0, 8)}`;
      const data = { metrics: Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 10}`, value: i / 7, timestamp: 1_700_000_000_000 + i, step: i })) };
      await store.appendToStream(streamId, [testEvent('MetricsLogged', data)]);
      const { rows } = await testDb.db.query<{ method: string | null }>(`select pg_column_compression(data) as method from events where stream_id = $1`, [streamId]);
      expect(rows).toEqual([{ method: 'lz4' }]);
      expect((await store.readStream(streamId))[0].data).toEqual(data);
    } finally {
      await store.close();
    }
  });
});
