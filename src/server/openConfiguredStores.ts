import { join } from 'node:path';
import type { ArtifactStore } from '../artifacts/artifactStore.ts';
import { openConfiguredArtifactStore } from '../artifacts/openArtifactStore.ts';
import { probePostgres } from '../db/probePostgres.ts';
import { eventStoreFactory } from './eventStoreFactory.ts';
import type { BackendConfig } from './openBackend.ts';
import type { ServerConfig } from './serverConfig.ts';

export interface ConfiguredStores {
  /** For openBackend/buildApp: the read-model database and how to open the event store. */
  backend: Pick<BackendConfig, 'databaseUrl' | 'schema' | 'dataDir' | 'createEventStore'>;
  artifacts: ArtifactStore;
}

/**
 * Proves what the configuration names is there before anything listens:
 * Postgres answers, the artifact folder or bucket is usable. Each failure is a
 * ConfigError naming its setting. (The event store is probed as it opens.)
 */
export async function openConfiguredStores(config: ServerConfig): Promise<ConfiguredStores> {
  if (config.postgres) await probePostgres(config.postgres, 'DATABASE_URL');
  // Without --artifacts, artifacts stay in the data folder, also when the database is Postgres.
  const artifacts = await openConfiguredArtifactStore(config.artifacts?.config ?? { kind: 'local', root: join(config.dataDir, 'artifacts') }, config.artifacts?.setting ?? '--data-dir');
  return {
    backend: {
      databaseUrl: config.postgres?.connectionString,
      schema: config.schema,
      dataDir: config.postgres ? undefined : config.dataDir,
      createEventStore: eventStoreFactory(config.eventStore),
    },
    artifacts,
  };
}
