import { probePostgres } from '../db/probePostgres.ts';
import { eventStoreFactory } from '../server/eventStoreFactory.ts';
import { openBackend, type RegistryBackend } from '../server/openBackend.ts';
import { resolveStoreConfig } from '../server/serverConfig.ts';
import { recordReadModelOrigin } from '../projections/readModelOrigin.ts';
import { progressBar } from './progressBar.ts';

/** mlledger rebuild: drops every read model and replays the event log (the configured event store) into it. */
export async function rebuild(options: { dataDir: string; eventStore?: string }): Promise<void> {
  const config = resolveStoreConfig({ dataDir: options.dataDir, eventStore: options.eventStore }, process.env);
  if (config.postgres) await probePostgres(config.postgres, 'DATABASE_URL');
  const backend = await openBackend({
    databaseUrl: config.postgres?.connectionString,
    schema: config.schema,
    dataDir: config.postgres ? undefined : config.dataDir,
    createEventStore: eventStoreFactory(config.eventStore),
    startProjector: false,
  });
  try {
    await rebuildReadModels(backend);
  } finally {
    await backend.close();
  }
}

/** Drops and replays every read model of an opened backend (projectors not started), with progress on stderr. */
export async function rebuildReadModels(backend: RegistryBackend): Promise<void> {
  const total = await backend.store.countEvents?.();
  const started = Date.now();
  // Each projector replays the whole log into its own read models.
  for (const projector of [backend.projector, backend.registryProjector, backend.monitoringProjector, backend.identityProjector]) {
    const bar = progressBar(`rebuilding read models (${projector.name})`, total);
    await projector.rebuild((count) => bar.advance(count));
    bar.finish();
  }
  await recordReadModelOrigin(backend.db, backend.store, { replace: true });
  const seconds = (Date.now() - started) / 1000;
  process.stderr.write(`rebuilt in ${seconds.toFixed(1)} s${total ? ` (${Math.round(total / Math.max(seconds, 0.001))} events/s)` : ''}\n`);
}
