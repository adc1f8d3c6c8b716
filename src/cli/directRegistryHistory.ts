import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { probePostgres } from '../db/probePostgres.ts';
import type { ModelSnapshot } from '../registry/history/modelSnapshot.ts';
import type { AuditQuery } from '../registry/history/registryHistory.ts';
import { eventStoreFactory } from '../server/eventStoreFactory.ts';
import { openBackend, type RegistryBackend } from '../server/openBackend.ts';
import { resolveStoreConfig } from '../server/serverConfig.ts';
import type { ChainReportView, HistorySourceOptions, ModelAsOfView, RegistryHistorySource } from './registryHistorySource.ts';

/**
 * Reads the registry's history from the configured event store itself (no read
 * model is consulted, none is projected): the independent check an auditor runs.
 * The embedded store's folder is held by a running server; read through it then.
 */
export async function openDirectRegistryHistory(options: HistorySourceOptions): Promise<RegistryHistorySource> {
  const config = resolveStoreConfig({ dataDir: options.dataDir, eventStore: options.eventStore }, process.env);
  if (config.postgres) await probePostgres(config.postgres, 'DATABASE_URL');
  else if (!existsSync(join(config.dataDir, 'pglite'))) {
    throw new Error(`No mlledger data in ${config.dataDir}; pass --data-dir <dir>, set DATABASE_URL, or use --tracking-uri <url> of a running server.`);
  }
  try {
    const backend = await openBackend({
      databaseUrl: config.postgres?.connectionString,
      schema: config.schema,
      dataDir: config.postgres ? undefined : config.dataDir,
      createEventStore: eventStoreFactory(config.eventStore),
      startProjector: false,
    });
    return new DirectRegistryHistory(backend);
  } catch (error) {
    if (error instanceof Error && /is in use by process/.test(error.message)) {
      throw new Error(`${error.message} Or read through that server with --tracking-uri http://<host>:<port>.`);
    }
    throw error;
  }
}

class DirectRegistryHistory implements RegistryHistorySource {
  constructor(private readonly backend: RegistryBackend) {}

  auditTrail(query: AuditQuery) {
    return this.backend.registry.history.auditTrail(query);
  }

  async modelAsOf(name: string, at: Date): Promise<ModelAsOfView | undefined> {
    const snapshot = await this.backend.registry.history.modelAsOf(name, at);
    return snapshot && snapshotView(snapshot, at);
  }

  async verifyChains(): Promise<ChainReportView> {
    const report = await this.backend.registry.history.verifyChains();
    return {
      streams: report.streams,
      events: report.events,
      breaks: report.breaks.map(({ event, reason }) => ({
        streamId: event.streamId,
        revision: event.revision,
        eventId: event.metadata.eventId,
        eventType: event.type,
        position: event.position,
        reason,
      })),
    };
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

function snapshotView(snapshot: ModelSnapshot, at: Date): ModelAsOfView {
  const aliases = [...snapshot.aliases].map(([alias, version]) => ({ alias, version })).sort((a, b) => (a.alias < b.alias ? -1 : 1));
  return {
    modelId: snapshot.modelId,
    name: snapshot.name ?? '',
    at: at.toISOString(),
    lastChangeAt: snapshot.lastRecordedAt ?? null,
    description: snapshot.description,
    approvalRequiredStages: [...snapshot.approvalRequiredStages],
    aliases,
    versions: [...snapshot.versions.values()]
      .sort((a, b) => a.version - b.version)
      .map((v) => ({
        version: v.version,
        stage: v.stage,
        aliases: aliases.filter((a) => a.version === v.version).map((a) => a.alias),
        description: v.description,
        source: v.source,
      })),
  };
}
