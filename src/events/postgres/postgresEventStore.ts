import { applySchema } from '../../db/applySchema.ts';
import type { SqlDb, SqlExecutor } from '../../db/sqlDb.ts';
import type { AppendResult, ExpectedRevision, NewEvent, RecordedEvent } from '../eventEnvelope.ts';
import { WrongExpectedVersionError, type EventStore, type ReadAllOptions, type ReadStreamOptions, type StreamAppend } from '../eventStore.ts';
import { followLog } from '../followLog.ts';
import { RecentEvents, type LoadedPage } from '../recentEvents.ts';
import { decodePosition, encodePosition, START_POSITION } from '../position.ts';
import { WakeSignal } from '../wakeSignal.ts';
import { eventStoreSchemaSql } from './eventStoreSchema.ts';

interface EventRow {
  stream_id: string;
  stream_revision: string | number;
  tx: string;
  global_position: string | number;
  type: string;
  version: number;
  data: unknown;
  metadata: RecordedEvent['metadata'];
}

const selectColumns = `stream_id, stream_revision, transaction_id::text as tx, global_position, type, version, data, metadata`;
// Only transactions older than every running one are visible: a late commit is never skipped.
const visible = `transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;
// No transaction open in the read's snapshot: everything committed before it began is visible to it.
const settled = `pg_snapshot_xmin(pg_current_snapshot()) = pg_snapshot_xmax(pg_current_snapshot())`;

function toRecorded(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    revision: Number(row.stream_revision),
    position: encodePosition(row.tx, String(row.global_position)),
    type: row.type,
    version: row.version,
    data: row.data,
    metadata: row.metadata,
  };
}

export interface PostgresEventStoreOptions {
  /** NOTIFY channel used as a cross-process wake-up hint (Postgres only). */
  channel?: string;
  pollIntervalMs?: number;
}

/** The event store on Postgres or PGlite: the same SQL on both. */
export async function createPostgresEventStore(db: SqlDb, options: PostgresEventStoreOptions = {}): Promise<EventStore> {
  await applySchema(db, eventStoreSchemaSql);
  const wake = new WakeSignal();
  // PGlite lives in this process: the local signal is all the hint needed.
  const channel = db.kind === 'postgres' ? (options.channel ?? 'mlledger_events') : null;
  const unlisten = channel ? await db.listen(channel, () => wake.notify()) : undefined;
  const pollIntervalMs = options.pollIntervalMs ?? (db.kind === 'postgres' ? 250 : 1000);
  // After the commit, not inside it: a NOTIFY in the append's transaction added ~0.7 ms to every
  // acknowledged write (the commit takes the notification queue's lock and signals each listener).
  const announce = () => {
    wake.notify();
    if (channel) db.notify(channel);
  };

  const readAfter = async (after: string, maxCount: number): Promise<LoadedPage> => {
    const [tx, gpos] = after === START_POSITION ? [0n, 0n] : decodePosition(after);
    const { rows } = await db.query<EventRow & { settled: boolean }>(
      `select ${selectColumns}, ${settled} as settled from events
        where ${visible} and (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
        order by transaction_id, global_position limit $3`,
      [tx.toString(), gpos.toString(), maxCount],
    );
    return { events: rows.map(toRecorded), settled: rows[0]?.settled ?? false }; // one snapshot: the same on every row
  };
  // The projectors and the subscription feed all follow the head: they share its reads.
  const recent = new RecentEvents(readAfter, 1000, () => wake.current);
  const readAll = ({ after = START_POSITION, maxCount = 1000 }: ReadAllOptions = {}) => recent.readAll(after, maxCount);

  return {
    async appendToStream(streamId: string, events: NewEvent[], { expectedRevision = 'any' as ExpectedRevision } = {}): Promise<AppendResult> {
      const result = await appendIn(db, streamId, events, expectedRevision);
      announce();
      return result;
    },

    async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
      if (appends.length === 0) return [];
      // One transaction: the events share its transaction id, so readers see them together, in list order.
      const results = await db.transaction(async (tx) => {
        const done: AppendResult[] = [];
        for (const { streamId, events, expectedRevision = 'any' } of appends) done.push(await appendIn(tx, streamId, events, expectedRevision));
        return done;
      });
      announce();
      return results;
    },

    async readStream(streamId: string, { fromRevision = 0, maxCount = Number.MAX_SAFE_INTEGER }: ReadStreamOptions = {}) {
      const { rows } = await db.query<EventRow>(
        `select ${selectColumns} from events where stream_id = $1 and stream_revision >= $2
          order by stream_revision limit $3`,
        [streamId, fromRevision, Math.min(maxCount, 2 ** 62)],
      );
      return rows.map(toRecorded);
    },

    readAll,

    subscribeToAll(handler, subscribeOptions = {}) {
      // Followers read on from their last event until a page is empty: they may be served a short page from memory.
      return followLog(handler, { ...subscribeOptions, readOn: (after, maxCount) => recent.readOn(after, maxCount), wake, pollIntervalMs });
    },

    async headPosition() {
      const { rows } = await db.query<{ tx: string; global_position: string }>(
        `select transaction_id::text as tx, global_position from events where ${visible}
          order by transaction_id desc, global_position desc limit 1`,
      );
      return rows[0] ? encodePosition(rows[0].tx, String(rows[0].global_position)) : START_POSITION;
    },

    async countEvents() {
      const { rows } = await db.query<{ count: string | number }>(`select count(*) as count from events`);
      return Number(rows[0].count);
    },

    async close() {
      await unlisten?.();
      wake.notify();
    },
  };
}

/** One append through mlledger_append_events: optimistic check, idempotency by event id, insert. */
async function appendIn(executor: SqlExecutor, streamId: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
  if (events.length === 0) throw new Error('appendToStream needs at least one event');
  const ids = new Set(events.map((e) => e.metadata.eventId));
  if (ids.size !== events.length) throw new Error('appendToStream: duplicate event ids in one append');
  try {
    // No channel: the caller announces the append once it has committed. One event (most appends)
    // travels as plain values: in an array literal, pg escapes every quote of a large event's json
    // and Postgres parses the literal back (~10% of the server's CPU when ingesting 1000-point batches).
    const single = events.length === 1;
    const { rows } = await executor.query<{ next_revision: string | number; tx: string; gpos: string | number }>(
      single
        ? 'select * from mlledger_append_events($1, $2, array[$3::uuid], array[$4::text], array[$5::int], array[$6::json], array[$7::json], $8)'
        : 'select * from mlledger_append_events($1, $2, $3::uuid[], $4::text[], $5::int[], $6::json[], $7::json[], $8)',
      [
        streamId,
        String(expectedRevision),
        ...(single
          ? [events[0].metadata.eventId, events[0].type, events[0].version, JSON.stringify(events[0].data), JSON.stringify(events[0].metadata)]
          : [
              events.map((e) => e.metadata.eventId),
              events.map((e) => e.type),
              events.map((e) => e.version),
              events.map((e) => JSON.stringify(e.data)),
              events.map((e) => JSON.stringify(e.metadata)),
            ]),
        null,
      ],
    );
    const row = rows[0];
    return { nextExpectedRevision: Number(row.next_revision), position: encodePosition(row.tx, String(row.gpos)) };
  } catch (error) {
    const e = error as { code?: string; detail?: string; hint?: string; message?: string };
    if (e.code === 'P0001' && e.message?.includes('wrong_expected_version')) {
      const actual = Number(e.detail);
      throw new WrongExpectedVersionError(streamId, expectedRevision, actual < 0 ? 'no_stream' : actual, e.hint);
    }
    throw error;
  }
}
