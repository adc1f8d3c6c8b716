import { applySchema } from '../db/applySchema.ts';
import type { SqlDb } from '../db/sqlDb.ts';
import type { EventStore } from '../events/eventStore.ts';

/**
 * Which event log the read models were built from, recorded as the id of that
 * log's first event. Checkpoints are positions in one log only: read models
 * built from EventStoreDB and then served from the Postgres store (or from
 * another EventStoreDB) would mix two histories, so a server refuses to start
 * on them until they are rebuilt.
 */
export const readModelOriginSql = `
create table if not exists read_model_origin (
  singleton boolean primary key default true check (singleton),
  first_event_id text not null,
  recorded_at timestamptz not null default now()
);
`;

export class ReadModelOriginError extends Error {
  readonly code = 'READ_MODELS_FROM_ANOTHER_LOG';
  constructor(recorded: string, found: string | undefined) {
    super(
      `the read models were built from another event log (its first event is ${recorded}; the configured event store's is ${found ?? 'absent, the log is empty'}). ` +
        'Run `mlledger rebuild` with this configuration to rebuild them from the configured event store, or give this store its own database or MLLEDGER_DB_SCHEMA.',
    );
    this.name = 'ReadModelOriginError';
  }
}

async function firstEventId(store: EventStore): Promise<string | undefined> {
  const [first] = await store.readAll({ maxCount: 1 });
  return first?.metadata.eventId;
}

async function recordedOrigin(db: SqlDb): Promise<string | undefined> {
  // Through applySchema: servers starting together would race on the catalog with a bare CREATE.
  await applySchema(db, readModelOriginSql);
  const { rows } = await db.query<{ first_event_id: string }>(`select first_event_id from read_model_origin`);
  return rows[0]?.first_event_id;
}

/**
 * Throws ReadModelOriginError when the read models were recorded as built from a
 * different log; answers whether an origin is recorded at all.
 */
export async function checkReadModelOrigin(db: SqlDb, store: EventStore): Promise<{ recorded: boolean }> {
  const recorded = await recordedOrigin(db);
  if (recorded === undefined) return { recorded: false };
  const found = await firstEventId(store);
  if (found !== recorded) throw new ReadModelOriginError(recorded, found);
  return { recorded: true };
}

/** Records the log the read models follow, once it has a first event; `replace` after a rebuild. */
export async function recordReadModelOrigin(db: SqlDb, store: EventStore, options: { replace?: boolean } = {}): Promise<void> {
  // Without replace it follows checkReadModelOrigin, which created the table.
  if (options.replace) await applySchema(db, readModelOriginSql);
  const found = await firstEventId(store);
  if (found === undefined) {
    if (options.replace) await db.query(`delete from read_model_origin`);
    return;
  }
  await db.query(
    `insert into read_model_origin (first_event_id) values ($1)
     on conflict (singleton) do ${options.replace ? 'update set first_event_id = excluded.first_event_id, recorded_at = now()' : 'nothing'}`,
    [found],
  );
}
