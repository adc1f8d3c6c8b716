import { resolve } from 'node:path';
import { parsePostgresUrl } from '../db/postgresUrl.ts';
import { probePostgres } from '../db/probePostgres.ts';
import { copyLog } from '../migration/copyLog.ts';
import { MigrationError } from '../migration/migrationError.ts';
import { openStoreAt, type OpenedStore } from '../migration/openStoreAt.ts';
import { hideCredentials, parseStoreLocation, sameStore, type StoreLocation } from '../migration/storeLocation.ts';
import { verifyCopy, type CopyVerification } from '../migration/verifyCopy.ts';
import { waitUntilVisible } from '../migration/waitUntilVisible.ts';
import { ConfigError } from '../server/configError.ts';
import { openEsdb } from '../server/eventStoreFactory.ts';
import { openBackend, type BackendConfig } from '../server/openBackend.ts';
import { resolveStoreConfig } from '../server/serverConfig.ts';
import { progressBar } from './progressBar.ts';
import { rebuildReadModels } from './rebuildCommand.ts';

export interface MigrateOptions {
  from: string;
  to: string;
  batchSize: number;
  rebuild?: boolean;
  dataDir: string;
}

/**
 * mlledger migrate: copies every event from one store to another, resuming an
 * interrupted run, then proves the copy equal (events, per-stream counts,
 * registry hash chains) and either rebuilds the read models from the target or
 * says how to.
 */
export async function migrate(options: MigrateOptions): Promise<void> {
  const from = parseStoreLocation(options.from, '--from');
  const to = parseStoreLocation(options.to, '--to');
  if (sameStore(from, to)) throw new ConfigError('--to', `is the same store as --from (${from.display})`);
  const source = await openStoreAt(from, '--from', { mustExist: true });
  let target: OpenedStore | undefined;
  try {
    target = await openStoreAt(to, '--to', { mustExist: false });
    const total = await source.store.countEvents?.();
    process.stderr.write(`migrating ${from.display} → ${to.display}${total !== undefined ? ` (${total} events)` : ''}\n`);
    const started = Date.now();
    const bars = phasedProgress(total);
    const copy = await copyLog(source.store, target.store, { pageSize: options.batchSize, onProgress: bars.advance });
    bars.finish();
    await waitUntilVisible(target.store, copy.lastPosition);
    const verifyBar = progressBar('verifying the copy', total);
    const verification = await verifyCopy(source.store, target.store, { pageSize: options.batchSize, onProgress: (n) => verifyBar.advance(n) });
    verifyBar.finish();
    printSummary(from, to, copy, verification, (Date.now() - started) / 1000);
    if (verification.problems.length > 0) {
      for (const problem of verification.problems) process.stderr.write(`  ✗ ${problem}\n`);
      throw new MigrationError(`verification failed: the target differs from the source (${verification.problems.length}${verification.problems.length >= 10 ? '+' : ''} problems listed above)`);
    }
  } finally {
    await target?.close();
    await source.close();
  }
  if (options.rebuild) await rebuildFrom(to, resolve(options.dataDir));
  else process.stdout.write(`next: rebuild the read models from the new store: ${rebuildHint(to)}\n`);
}

/** One bar while events already on the target are checked (resume), another while the rest is copied. */
function phasedProgress(total: number | undefined) {
  let checked = 0;
  let checking: ReturnType<typeof progressBar> | undefined;
  let copying: ReturnType<typeof progressBar> | undefined;
  return {
    advance(phase: 'checked' | 'copied', count: number) {
      if (phase === 'checked') {
        checking ??= progressBar('events already on the target', total);
        checked += count;
        checking.advance(count);
        return;
      }
      if (!copying) {
        checking?.finish();
        copying = progressBar('copying events', total === undefined ? undefined : total - checked);
      }
      copying.advance(count);
    },
    finish() {
      (copying ?? checking)?.finish();
    },
  };
}

function printSummary(from: StoreLocation, to: StoreLocation, copy: { alreadyCopied: number; copied: number }, v: CopyVerification, seconds: number): void {
  const ok = v.problems.length === 0;
  const lines = [
    `migrated ${from.display} → ${to.display} in ${seconds.toFixed(1)} s`,
    `  events:   ${v.events} in the source, ${v.targetEvents} in the target (${copy.copied} copied now, ${copy.alreadyCopied} already there from an earlier run)`,
    `  streams:  ${v.streams}, each with as many events on the target as in the source: ${ok ? 'yes' : 'see below'}`,
    `  registry hash chains: ${v.targetChains.streams} streams, ${v.targetChains.events} events on the target (source ${v.sourceChains.events}), ${v.targetChains.breaks.length === 0 ? 'no break' : `${v.targetChains.breaks.length} broken`}`,
    `  verified: ${ok ? 'every event equal in id, stream, revision, type, version, data and metadata' : `NO: ${v.problems.length} difference(s)`}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** The read models go where a server on the target keeps them: in the target's own database, or for EventStoreDB in DATABASE_URL (else the data folder). */
function readModelsFor(to: StoreLocation, dataDir: string): BackendConfig {
  if (to.kind === 'pglite') return { dataDir: to.dataDir };
  if (to.kind === 'postgres') return { databaseUrl: to.postgres.connectionString, schema: to.schema };
  const createEventStore = () => openEsdb(to.url, '--to');
  // As `serve --event-store esdb` would find them: DATABASE_URL (and its schema), else the data folder.
  const stores = resolveStoreConfig({ dataDir }, process.env);
  if (!stores.postgres) return { dataDir, createEventStore };
  return { databaseUrl: stores.postgres.connectionString, schema: stores.schema, createEventStore };
}

async function rebuildFrom(to: StoreLocation, dataDir: string): Promise<void> {
  const config = readModelsFor(to, dataDir);
  if (config.databaseUrl) await probePostgres(parsePostgresUrl(config.databaseUrl, to.kind === 'esdb' ? 'DATABASE_URL' : '--to'), to.kind === 'esdb' ? 'DATABASE_URL' : '--to');
  const backend = await openBackend({ ...config, startProjector: false });
  try {
    await rebuildReadModels(backend);
  } finally {
    await backend.close();
  }
  process.stdout.write(`read models rebuilt from ${to.display}${config.dataDir && to.kind === 'esdb' ? ` into ${config.dataDir}` : ''}\n`);
}

function rebuildHint(to: StoreLocation): string {
  if (to.kind === 'pglite') return `mlledger rebuild --data-dir ${to.dataDir}`;
  if (to.kind === 'postgres') {
    const url = new URL(to.postgres.connectionString);
    url.password = url.password ? '…' : '';
    return `DATABASE_URL=${url.toString()}${to.schema === 'public' ? '' : ` MLLEDGER_DB_SCHEMA=${to.schema}`} mlledger rebuild`;
  }
  return `EVENTSTORE_URL='${hideCredentials(to.url)}' DATABASE_URL=<read-model database> mlledger rebuild --event-store esdb (or run migrate again with --rebuild)`;
}
