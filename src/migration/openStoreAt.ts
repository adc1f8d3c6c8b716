import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openPgDb } from '../db/pgDb.ts';
import { openPgliteDb } from '../db/pgliteDb.ts';
import { probePostgres } from '../db/probePostgres.ts';
import type { SqlDb } from '../db/sqlDb.ts';
import type { EventStore } from '../events/eventStore.ts';
import { createPostgresEventStore } from '../events/postgres/postgresEventStore.ts';
import { ConfigError, reasonOf } from '../server/configError.ts';
import { lockDataDir } from '../server/dataDirLock.ts';
import { openEsdb } from '../server/eventStoreFactory.ts';
import type { StoreLocation } from './storeLocation.ts';

export interface OpenedStore {
  store: EventStore;
  close(): Promise<void>;
}

/**
 * Opens the event store at a location, proven reachable. A source (mustExist)
 * must already hold an mlledger log: a typo in a path must not read as an empty
 * store. Failures are ConfigErrors naming the setting (--from, --to).
 */
export async function openStoreAt(location: StoreLocation, setting: string, { mustExist }: { mustExist: boolean }): Promise<OpenedStore> {
  if (location.kind === 'esdb') {
    const store = await openEsdb(location.url, setting);
    return { store, close: () => store.close() };
  }
  if (location.kind === 'pglite') {
    if (mustExist && !existsSync(join(location.dataDir, 'pglite'))) throw new ConfigError(setting, `no embedded mlledger database in ${location.dataDir}`);
    let unlock: () => void;
    try {
      unlock = lockDataDir(location.dataDir);
    } catch (error) {
      throw new ConfigError(setting, reasonOf(error));
    }
    const db = await openPgliteDb(join(location.dataDir, 'pglite'));
    return withSqlStore(db, undefined, async () => unlock());
  }
  await probePostgres(location.postgres, setting);
  const db = await openPgDb({ connectionString: location.postgres.connectionString, schema: location.schema });
  if (mustExist) {
    // search_path is the schema: an unqualified name finds its events table, if any.
    const { rows } = await db.query<{ found: string | null }>(`select to_regclass('events')::text as found`);
    if (!rows[0].found) {
      await db.close();
      throw new ConfigError(setting, `no mlledger event log in schema ${location.schema} at ${location.postgres.display}`);
    }
  }
  // The wake-up channel servers on this schema use (openBackend), so they see copied events at once.
  return withSqlStore(db, location.schema === 'public' ? 'mlledger_events' : `mlledger_events_${location.schema}`, async () => {});
}

async function withSqlStore(db: SqlDb, channel: string | undefined, release: () => Promise<void>): Promise<OpenedStore> {
  const store = await createPostgresEventStore(db, { channel });
  return {
    store,
    async close() {
      await store.close();
      await db.close();
      await release();
    },
  };
}
