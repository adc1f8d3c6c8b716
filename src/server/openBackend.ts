import { join } from 'node:path';
import { openPgDb } from '../db/pgDb.ts';
import { openPgliteDb } from '../db/pgliteDb.ts';
import type { SqlDb } from '../db/sqlDb.ts';
import type { EventStore } from '../events/eventStore.ts';
import { createPostgresEventStore } from '../events/postgres/postgresEventStore.ts';
import type { Clock } from '../monitoring/clock.ts';
import { systemClock } from '../monitoring/clock.ts';
import { MonitoringService } from '../monitoring/monitoringService.ts';
import { monitoringEventTypes, monitoringReadModels } from '../projections/monitoringTables.ts';
import { Projector } from '../projections/projector.ts';
import { checkReadModelOrigin, recordReadModelOrigin } from '../projections/readModelOrigin.ts';
import { identityEventTypes, identityReadModels } from '../projections/identityTables.ts';
import { IdentityGeneration } from '../auth/identityGeneration.ts';
import { IdentityService } from '../auth/identityService.ts';
import { registryEventTypes, registryReadModels } from '../projections/registryTables.ts';
import { trackingEventTypes, trackingReadModels } from '../projections/trackingTables.ts';
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
  /** Opens the event store (EventStoreDB, say); default: the Postgres/PGlite store in the read-model database. */
  createEventStore?: (readModelDb: SqlDb) => Promise<EventStore>;
  /** Production monitoring's clock (tests and simulations control time with it); default the system clock. */
  clock?: Clock;
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
  /** Production monitoring: its own projector and checkpoint. */
  monitoringProjector: Projector;
  /** Users, tokens and grants: their own projector and checkpoint. */
  identityProjector: Projector;
  identity: IdentityService;
  /** Moves whenever this process applied identity events (permission caches key on it). */
  identityGeneration: IdentityGeneration;
  monitoring: MonitoringService;
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
  const store = config.createEventStore ? await config.createEventStore(db) : await createPostgresEventStore(db, { channel });
  const identityGeneration = new IdentityGeneration();
  const identityProjector = new Projector(db, store, identityReadModels, {
    name: 'identity',
    eventTypes: identityEventTypes,
    onError: config.onProjectorError,
    onBatch: () => identityGeneration.bump(),
  });
  const projector = new Projector(db, store, trackingReadModels, { name: 'tracking', eventTypes: trackingEventTypes, onError: config.onProjectorError });
  const tracking = new TrackingService({ store, projector, readDb: db, creatorGrants: identityProjector });
  const registryProjector = new Projector(db, store, registryReadModels, { name: 'registry', eventTypes: registryEventTypes, onError: config.onProjectorError });
  const registry = new RegistryService({ store, projector: registryProjector, readDb: db, creatorGrants: identityProjector });
  const monitoringProjector = new Projector(db, store, monitoringReadModels, {
    name: 'monitoring',
    eventTypes: monitoringEventTypes,
    onError: config.onProjectorError,
    onBatch: () => monitoring.notifyProjected(),
  });
  const identity = new IdentityService({ store, projector: identityProjector, readDb: db });
  const monitoring: MonitoringService = new MonitoringService({ store, projector: monitoringProjector, readDb: db, clock: config.clock ?? systemClock });
  let originRecorded = false;
  if (config.startProjector === false) {
    await projector.ensureSchema();
    await registryProjector.ensureSchema();
    await monitoringProjector.ensureSchema();
    await identityProjector.ensureSchema();
  } else {
    originRecorded = (await checkReadModelOrigin(db, store)).recorded;
    await projector.start();
    await registryProjector.start();
    await monitoringProjector.start();
    await identityProjector.start();
  }
  if (config.startProjector !== false) {
    await tracking.ensureDefaultExperiment(commandContext('mlledger'));
    if (!originRecorded) await recordReadModelOrigin(db, store);
  }
  const ownsDb = !config.db;
  return {
    db,
    store,
    projector,
    tracking,
    registryProjector,
    registry,
    monitoringProjector,
    identityProjector,
    identity,
    identityGeneration,
    monitoring,
    async close() {
      await identityProjector.stop();
      await monitoringProjector.stop();
      await registryProjector.stop();
      await projector.stop();
      await store.close();
      if (ownsDb) await db.close();
      unlock?.();
    },
  };
}
