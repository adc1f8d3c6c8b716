import type { RecordedEvent } from './eventEnvelope.ts';
import { artifactEvents } from './artifactEvents.ts';
import type { EventDefinition, Upcaster } from './defineEvent.ts';
import { experimentEvents } from './experimentEvents.ts';
import { identityEvents } from './identityEvents.ts';
import { loggedModelEvents } from './loggedModelEvents.ts';
import { monitoringEvents } from './monitoringEvents.ts';
import { registryEvents, registryUpcasters } from './registryEvents.ts';
import { runEvents, runUpcasters } from './runEvents.ts';
import { runInputOutputEvents } from './runInputOutputEvents.ts';

/** Every event type the application writes, at its current version. */
export const eventDefinitions: readonly EventDefinition[] = [...experimentEvents, ...runEvents, ...artifactEvents, ...registryEvents, ...loggedModelEvents, ...runInputOutputEvents, ...monitoringEvents, ...identityEvents];

/** Upcasters from old stored versions to current ones. */
export const upcasters: readonly Upcaster[] = [...registryUpcasters, ...runUpcasters];

const currentVersion = new Map(eventDefinitions.map((d) => [d.type, d.version]));

/**
 * Brings a stored event up to its type's current version. Events of types this
 * build does not know pass through unchanged, so readers can skip them.
 */
export function upcastEvent(event: RecordedEvent): RecordedEvent {
  const target = currentVersion.get(event.type);
  if (target === undefined || event.version === target) return event;
  let { version, data } = event;
  while (version < target) {
    const step = upcasters.find((u) => u.type === event.type && u.fromVersion === version);
    if (!step) throw new Error(`No upcaster for ${event.type} v${version}`);
    data = step.upcast(data);
    version++;
  }
  return { ...event, version, data };
}
