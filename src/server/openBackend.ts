import { join } from 'node:path';
import { openPgDb } from '../db/pgDb.ts';
import { openPgliteDb } from '../db/pgliteDb.ts';
import type { SqlDb } from '../db/sqlDb.ts';
import type { EventStore } from '../events/eventStore.ts';
import { createPostgresEventStore } from '../events/postgres/postgresEventStore.ts';
import { Projector } from '../projections/projector.ts';
import { registryReadModels } from '../projections/registryTables.ts';
import { trackingReadModels } from '../projections/trackingTables.ts';
import { RegistryService } from '../registry/registryService.ts';
import { commandContext } from '../tracking/commandContext.ts';
import { TrackingService } from '../tracking/trackingService.ts';
import { lockDataDir } from './dataDirLock.ts';

export interface BackendConfig {
  /** Postgres for events and read models; embedded PGlite in dataDir when absent. */
  databaseUrl?: string;
  /** Schema for all tables on Postgres (tests use one each). */
  schema?: string;
  /** Embedded data folder; undefined with no databaseUrl means in memory. */
  dataDir?: string;
  /** NOTIFY channel for cross-process wake-ups. */
  channel?: string;
  /** An already open database (tests). */
  db?: SqlDb;
  /** Do not follow the log (CLI commands that project by themselves). */
  startProjector?: boolean;
  onProjectorError?: (error: unknown) => void;
}

export interface Backend {
  db: SqlDb;
  store: EventStore;
  projector: Projector;
  tracking: TrackingService;
  close(): Promise<void>;
}

/** What openBackend opens: tracking plus the model registry, which has its own projector and checkpoint. */
export interface RegistryBackend extends Backend {
  registryProjector: Projector;
  registry: RegistryService;
}

/** Opens the event store, the read models and the projector between them. */
export async function openBackend(config: BackendConfig = {}): Promise<RegistryBackend> {
  let unlock: (() => void) | undefined;
  let db = config.db;
  if (!db) {
    if (config.databaseUrl) db = await openPgDb({ connectionString: config.databaseUrl, schema: config.schema });
    else {
      if (config.dataDir) unlock = lockDataDir(config.dataDir);
      db = await openPgliteDb(config.dataDir ? join(config.dataDir, 'pglite') : undefined);
    }
  }
  // Servers sharing a schema share a wake-up channel; other schemas stay out of it.
  const channel = config.channel ?? (config.schema ? `mlledger_events_${config.schema}` : 'mlledger_events');
  const store = await createPostgresEventStore(db, { channel });
  const projector = new Projector(db, store, trackingReadModels, { name: 'tracking', onError: config.onProjectorError });
  const tracking = new TrackingService({ store, projector, readDb: db });
  const registryProjector = new Projector(db, store, registryReadModels, { name: 'registry', onError: config.onProjectorError });
  const registry = new RegistryService({ store, projector: registryProjector, readDb: db });
  if (config.startProjector === false) {
    await projector.ensureSchema();
    await registryProjector.ensureSchema();
  } else {
    await projector.start();
    await registryProjector.start();
  }
  if (config.startProjector !== false) await tracking.ensureDefaultExperiment(commandContext('mlledger'));
  const ownsDb = !config.db;
  return {
    db,
    store,
    projector,
    tracking,
    registryProjector,
    registry,
    async close() {
      await registryProjector.stop();
      await projector.stop();
      await store.close();
      if (ownsDb) await db.close();
      unlock?.();
    },
  };
}
