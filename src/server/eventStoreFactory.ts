import type { SqlDb } from '../db/sqlDb.ts';
import type { EventStore } from '../events/eventStore.ts';
import { ConfigError, reasonOf, withTimeout } from './configError.ts';
import type { EventStoreChoice } from './serverConfig.ts';

/** Opens an event store next to the read-model database (openBackend calls it with that database). */
export type EventStoreFactory = (readModelDb: SqlDb) => Promise<EventStore>;

/**
 * The factory for a configured event store; undefined for the postgres store,
 * which openBackend opens in the read-model database itself.
 */
export function eventStoreFactory(choice: EventStoreChoice, setting = 'EVENTSTORE_URL'): EventStoreFactory | undefined {
  if (choice.kind === 'postgres') return undefined;
  return () => openEsdb(choice.url, setting);
}

/** EventStoreDB, proven reachable (the adapter reads the head of $all as it opens); failures name the setting. */
export async function openEsdb(url: string, setting: string, timeoutMs = 15_000): Promise<EventStore> {
  const shown = hideCredentials(url);
  try {
    // Loaded on use: the gRPC client is heavy, and only esdb configurations need it.
    const { createEsdbEventStore } = await import('../events/esdb/esdbEventStore.ts');
    return await withTimeout(createEsdbEventStore({ connectionString: url }), timeoutMs, () => new ConfigError(setting, `no answer from EventStoreDB at ${shown} within ${timeoutMs / 1000} s`));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(setting, hideCredentials(reasonOf(error)));
  }
}

function hideCredentials(text: string): string {
  return text.replace(/\/\/[^@/\s]*@/g, '//***@');
}
