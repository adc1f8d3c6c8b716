import { describe, expect, it } from 'vitest';
import { createPostgresEventStore } from '../src/events/postgres/postgresEventStore.ts';
import { testEvent } from './support/eventFactory.ts';
import { openTestDb } from './support/testDb.ts';

describe('an events table made before events were kept as json', () => {
  it('keeps its jsonb columns and goes on appending and reading through the new append function', async () => {
    const { db, channel, drop } = await openTestDb();
    try {
      // The table as the first release created it.
      await db.query(`create table events (
        global_position bigint generated always as identity primary key,
        transaction_id xid8 not null default pg_current_xact_id(),
        stream_id text not null, stream_revision bigint not null, event_id uuid not null,
        type text not null, version int not null, data jsonb not null, metadata jsonb not null,
        unique (stream_id, stream_revision), unique (stream_id, event_id))`);
      const store = await createPostgresEventStore(db, { channel });
      const first = testEvent('Old', { nested: { list: [1, 'two', null] }, text: 'ŝ' });
      await store.appendToStream('s-1', [first], { expectedRevision: 'no_stream' });
      await store.appendToStream('s-1', [first], { expectedRevision: 'no_stream' }); // idempotent retry
      await store.appendToStream('s-1', [testEvent('Old', { n: 2 })], { expectedRevision: 0 });
      const events = await store.readStream('s-1');
      expect(events.map((e) => e.data)).toEqual([{ nested: { list: [1, 'two', null] }, text: 'ŝ' }, { n: 2 }]);
      expect(events[0].metadata.eventId).toBe(first.metadata.eventId);
      const { rows } = await db.query<{ type: string }>(`select data_type as type from information_schema.columns where table_schema = current_schema() and table_name = 'events' and column_name = 'data'`);
      expect(rows[0].type).toBe('jsonb');
      await store.close();
    } finally {
      await drop();
    }
  });
});
