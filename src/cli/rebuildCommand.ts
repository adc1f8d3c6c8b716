import { resolve } from 'node:path';
import { openBackend } from '../server/openBackend.ts';
import { progressBar } from './progressBar.ts';

/** mlledger rebuild: drops every read model and replays the event log into it. */
export async function rebuild(options: { dataDir: string }): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const schema = process.env.MLLEDGER_DB_SCHEMA || undefined;
  const backend = await openBackend({ databaseUrl, schema, dataDir: databaseUrl ? undefined : resolve(options.dataDir), startProjector: false });
  try {
    const total = await backend.store.countEvents?.();
    const started = Date.now();
    // Each projector replays the whole log into its own read models.
    for (const projector of [backend.projector, backend.registryProjector]) {
      const bar = progressBar(`rebuilding read models (${projector.name})`, total);
      await projector.rebuild((count) => bar.advance(count));
      bar.finish();
    }
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(`rebuilt in ${seconds.toFixed(1)} s${total ? ` (${Math.round(total / Math.max(seconds, 0.001))} events/s)` : ''}\n`);
  } finally {
    await backend.close();
  }
}
