import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDb } from '../src/db/sqlDb.ts';
import type { NewEvent, RecordedEvent } from '../src/events/eventEnvelope.ts';
import type { EventStore } from '../src/events/eventStore.ts';
import { comparePositions, decodePosition, encodePosition } from '../src/events/position.ts';
import { createPostgresEventStore } from '../src/events/postgres/postgresEventStore.ts';
import { testEvent } from './support/eventFactory.ts';
import { waitFor } from './support/eventStoreContract.ts';
import { pollUntil } from './support/readModelDump.ts';
import { openTestDb, usingPostgres, type TestDb } from './support/testDb.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const uniqueStream = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

/** mlledger_append's json argument, as appendToStream builds it. */
const appendPayload = (events: NewEvent[]) =>
  JSON.stringify(events.map((e) => ({ event_id: e.metadata.eventId, type: e.type, version: e.version, data: e.data, metadata: e.metadata })));

interface AppendRow {
  next_revision: string;
  tx: string;
  gpos: string;
}

/** A bare connection to the test schema, to hold a writing transaction open by hand. */
async function openRawClient(testDb: TestDb): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL, options: `-c search_path=${testDb.schema}` });
  await client.connect();
  return client;
}

/** Everything in the log after `after` that belongs to the given streams (the db is shared by this file's tests). */
async function readOurs(store: EventStore, after: string, streams: ReadonlySet<string>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (let cursor = after; ; ) {
    const page = await store.readAll({ after: cursor, maxCount: 1000 });
    if (page.length === 0) return events;
    events.push(...page.filter((e) => streams.has(e.streamId)));
    cursor = page[page.length - 1].position;
  }
}

describe('event store under concurrent writers', () => {
  let testDb: TestDb;
  let store: EventStore;
  beforeAll(async () => {
    testDb = await openTestDb();
    store = await createPostgresEventStore(testDb.db, { channel: testDb.channel });
  });
  afterAll(async () => {
    await store?.close();
    await testDb?.drop();
  });

  describe.skipIf(!usingPostgres)('the sequence gap (Postgres)', () => {
    it('holds back a later commit behind an older open transaction, then delivers both in order, once', async () => {
      const streamA = uniqueStream('gap-a');
      const streamB = uniqueStream('gap-b');
      const streamC = uniqueStream('gap-c');
      const ours = new Set([streamA, streamB, streamC]);
      const start = await store.headPosition();

      const earlySeen: RecordedEvent[] = [];
      const early = store.subscribeToAll((events) => void earlySeen.push(...events.filter((e) => ours.has(e.streamId))), { after: start });
      await early.caughtUp;

      const client = await openRawClient(testDb);
      let late: ReturnType<EventStore['subscribeToAll']> | undefined;
      try {
        // Writer A takes the smaller global position and stays open...
        await client.query('begin');
        const eventA = testEvent('A');
        const { rows } = await client.query<AppendRow>('select * from mlledger_append($1, $2, $3::json, $4)', [streamA, 'no_stream', appendPayload([eventA]), testDb.channel]);
        const positionA = encodePosition(rows[0].tx, rows[0].gpos);

        // ...while writer B takes a larger one and commits first: the gap.
        const resultB = await store.appendToStream(streamB, [testEvent('B')], { expectedRevision: 'no_stream' });
        expect(decodePosition(resultB.position)[1]).toBeGreaterThan(decodePosition(positionA)[1]);
        expect(comparePositions(resultB.position, positionA)).toBe(1);
        // B is committed (a naive "global_position > checkpoint" reader would take it now and lose A for good)...
        const committed = await testDb.db.query<{ n: number }>('select count(*)::int as n from events where stream_id = $1', [streamB]);
        expect(committed.rows[0].n).toBe(1);
        // ...but the store holds it back while the older transaction is open.
        expect(await readOurs(store, start, ours)).toEqual([]);
        expect(comparePositions(await store.headPosition(), positionA)).toBe(-1);

        const lateSeen: RecordedEvent[] = [];
        late = store.subscribeToAll((events) => void lateSeen.push(...events.filter((e) => ours.has(e.streamId))), { after: start });
        await late.caughtUp;
        // B's append woke both and they re-read with backoff (1, 2, 4... ms): a leaky one would have taken B by now.
        // Kept short: an open writing transaction holds back readers of every test running on this cluster.
        await sleep(60);
        expect(earlySeen).toEqual([]);
        expect(lateSeen).toEqual([]);

        await client.query('commit');

        // Visibility may lag a little more if some other writer in the cluster is open: poll.
        await pollUntil(async () => (await readOurs(store, start, ours)).length === 2);
        const afterCommit = await readOurs(store, start, ours);
        expect(afterCommit.map((e) => e.type)).toEqual(['A', 'B']);
        expect(afterCommit[0].position).toBe(positionA);
        expect(afterCommit[1].position).toBe(resultB.position);

        // A sentinel after both: once it arrives, anything delivered twice would already be there.
        await store.appendToStream(streamC, [testEvent('C')]);
        await waitFor(() => earlySeen.some((e) => e.type === 'C') && lateSeen.some((e) => e.type === 'C'));
        for (const seen of [earlySeen, lateSeen]) {
          expect(seen.map((e) => e.type)).toEqual(['A', 'B', 'C']);
          expect(seen[0].metadata.eventId).toBe(eventA.metadata.eventId);
        }
      } finally {
        await client.query('rollback').catch(() => {});
        await client.end();
        await early.stop();
        await late?.stop();
      }
    });

    it('gives a reader asking again from the same position the events that became visible since', async () => {
      const streamX = uniqueStream('again-x');
      const streamA = uniqueStream('again-a');
      const streamB = uniqueStream('again-b');
      const ours = new Set([streamX, streamA, streamB]);
      const ourTypes = async () => (await store.readAll({ after: start, maxCount: 1000 })).filter((e) => ours.has(e.streamId)).map((e) => e.type);
      const start = await store.headPosition();
      await store.appendToStream(streamX, [testEvent('X')]);
      const client = await openRawClient(testDb);
      try {
        await client.query('begin');
        await client.query('select * from mlledger_append($1, $2, $3::json, $4)', [streamA, 'no_stream', appendPayload([testEvent('A')]), testDb.channel]);
        await store.appendToStream(streamB, [testEvent('B')]);
        // Only X is visible while A's transaction is open; the store keeps what this read saw.
        await pollUntil(async () => (await ourTypes()).includes('X'));
        expect(await ourTypes()).toEqual(['X']);
        await client.query('commit');
      } finally {
        await client.end();
      }
      // The same read again, one call each time (no reading on): it must not stop at what was held.
      await pollUntil(async () => (await ourTypes()).length === 3);
      expect(await ourTypes()).toEqual(['X', 'A', 'B']);
    });
  });

  it('a subscriber started before many concurrent writers sees every event exactly once, in log order', async () => {
    const writerCount = 8;
    const eventsPerWriter = 200;
    const prefix = `many-${randomUUID().slice(0, 8)}`;
    const isOurs = (e: RecordedEvent) => e.streamId.startsWith(prefix);
    const sharedStreams = [`${prefix}-shared-0`, `${prefix}-shared-1`];

    // On Postgres, half the writers get their own pool: real parallel transactions that can commit out of order.
    const extraDbs: SqlDb[] = [];
    const writerStores: EventStore[] = [];
    for (let w = 0; w < writerCount; w++) {
      if (usingPostgres && w % 2 === 1) {
        const db = await testDb.reopen();
        extraDbs.push(db);
        writerStores.push(await createPostgresEventStore(db, { channel: testDb.channel }));
      } else writerStores.push(store);
    }

    const start = await store.headPosition();
    const seen: RecordedEvent[] = [];
    const subscription = store.subscribeToAll((events) => void seen.push(...events.filter(isOurs)), { after: start, batchSize: 50 });
    await subscription.caughtUp;

    const appendedIds: string[] = [];
    try {
      await Promise.all(
        writerStores.map(async (writerStore, w) => {
          for (let written = 0, round = 0; written < eventsPerWriter; round++) {
            const size = Math.min(1 + ((w + round) % 4), eventsPerWriter - written);
            const events = Array.from({ length: size }, (_, k) => testEvent('Many', { writer: w, n: written + k }));
            const streamId = round % 3 === 2 ? sharedStreams[(w + round) % 2] : `${prefix}-own-${w}`;
            await writerStore.appendToStream(streamId, events, { expectedRevision: 'any' });
            appendedIds.push(...events.map((e) => e.metadata.eventId));
            written += size;
          }
        }),
      );
      const sentinel = testEvent('Sentinel');
      await store.appendToStream(`${prefix}-sentinel`, [sentinel]);
      await waitFor(() => seen.some((e) => e.metadata.eventId === sentinel.metadata.eventId), 20_000);
    } finally {
      await subscription.stop();
      for (const s of writerStores) if (s !== store) await s.close();
      for (const db of extraDbs) await db.close();
    }

    const delivered = seen.filter((e) => e.type === 'Many');
    const deliveredIds = delivered.map((e) => e.metadata.eventId);
    expect(appendedIds).toHaveLength(writerCount * eventsPerWriter);
    expect(new Set(deliveredIds).size).toBe(deliveredIds.length); // no duplicate
    expect([...deliveredIds].sort()).toEqual([...appendedIds].sort()); // no gap
    expect(seen[seen.length - 1].type).toBe('Sentinel');
    for (let i = 1; i < seen.length; i++) expect(comparePositions(seen[i - 1].position, seen[i].position)).toBe(-1);

    const stored = await testDb.db.query<{ n: number }>(`select count(*)::int as n from events where stream_id like $1 and type = 'Many'`, [`${prefix}-%`]);
    expect(stored.rows[0].n).toBe(delivered.length);

    // Every stream, shared ones included, appears in the log in revision order: a writer queued behind
    // another on the same stream always gets the later transaction id.
    const streams = new Set(delivered.map((e) => e.streamId));
    for (const streamId of streams) {
      const revisions = delivered.filter((e) => e.streamId === streamId).map((e) => e.revision);
      expect(revisions, streamId).toEqual(revisions.map((_, i) => i));
    }
    // A later full read replays exactly what the live subscriber saw.
    const replay = (await readOurs(store, start, new Set(seen.map((e) => e.streamId)))).map((e) => e.metadata.eventId);
    expect(replay).toEqual(seen.map((e) => e.metadata.eventId));
  });

  it('stores once the same events appended concurrently from two connections (an idempotent retry race)', async () => {
    const otherDb = usingPostgres ? await testDb.reopen() : undefined;
    const otherStore = otherDb ? await createPostgresEventStore(otherDb, { channel: testDb.channel }) : store;
    try {
      for (let round = 0; round < 20; round++) {
        const streamId = uniqueStream('retry');
        // Every other round the stream already exists, so the race is on an existing row too.
        if (round % 2 === 1) await store.appendToStream(streamId, [testEvent('Before')], { expectedRevision: 'no_stream' });
        const events = [testEvent('Retried', { round }), testEvent('Retried', { round })];
        const expectedRevision = round % 2 === 1 ? 0 : 'no_stream';
        const [first, second] = await Promise.all([
          store.appendToStream(streamId, events, { expectedRevision }),
          otherStore.appendToStream(streamId, events, { expectedRevision }),
        ]);
        expect(second).toEqual(first);
        const stored = await store.readStream(streamId);
        expect(stored.filter((e) => e.type === 'Retried').map((e) => e.metadata.eventId)).toEqual(events.map((e) => e.metadata.eventId));
        expect(stored).toHaveLength(round % 2 === 1 ? 3 : 2);
      }
    } finally {
      if (otherStore !== store) await otherStore.close();
      await otherDb?.close();
    }
  });

  it.skipIf(!usingPostgres)('a retry blocked behind the original uncommitted append returns the original result (Postgres)', async () => {
    const streamId = uniqueStream('retry-blocked');
    const events = [testEvent('Retried'), testEvent('Retried')];
    const client = await openRawClient(testDb);
    try {
      await client.query('begin');
      const { rows } = await client.query<AppendRow>('select * from mlledger_append($1, $2, $3::json, $4)', [streamId, 'no_stream', appendPayload(events), testDb.channel]);
      let settled = false;
      const retry = store.appendToStream(streamId, events, { expectedRevision: 'no_stream' }).finally(() => (settled = true));
      await sleep(60);
      expect(settled).toBe(false); // waiting on the original's locks, not deciding on stale data
      await client.query('commit');
      expect(await retry).toEqual({ nextExpectedRevision: 1, position: encodePosition(rows[0].tx, rows[0].gpos) });
      expect(await store.readStream(streamId)).toHaveLength(2);
    } finally {
      await client.query('rollback').catch(() => {});
      await client.end();
    }
  });
});
