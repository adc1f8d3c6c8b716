import type { RecordedEvent } from './eventEnvelope.ts';
import { artifactEvents } from './artifactEvents.ts';
import type { EventDefinition, Upcaster } from './defineEvent.ts';
import { experimentEvents } from './experimentEvents.ts';
import { registryEvents } from './registryEvents.ts';
import { runEvents } from './runEvents.ts';

/** Every event type the application writes, at its current version. */
export const eventDefinitions: readonly EventDefinition[] = [...experimentEvents, ...runEvents, ...artifactEvents, ...registryEvents];

/** Upcasters from old stored versions to current ones. None yet: every type is at version 1. */
export const upcasters: readonly Upcaster[] = [];

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
