import { upcastEvent } from '../../events/eventCatalog.ts';
import type { RecordedEvent } from '../../events/eventEnvelope.ts';
import type { EventStore } from '../../events/eventStore.ts';
import { comparePositions } from '../../events/position.ts';
import { REGISTERED_MODELS_STREAM, RegisteredModelCreated, RegisteredModelDeleted, RegisteredModelRenamed, registeredModelStream } from '../../events/registryEvents.ts';

/**
 * A model's whole history: its catalogue events (create, rename, delete, in the
 * shared catalogue stream) and its own stream, merged in global log order, upcast.
 */
export async function readModelEvents(store: EventStore, modelId: string): Promise<RecordedEvent[]> {
  const [catalog, own] = await Promise.all([store.readStream(REGISTERED_MODELS_STREAM), store.readStream(registeredModelStream(modelId))]);
  const ofModel = catalog.filter((event) => (event.data as { modelId?: string }).modelId === modelId);
  return mergeByPosition(ofModel, own).map(upcastEvent);
}

function mergeByPosition(a: readonly RecordedEvent[], b: readonly RecordedEvent[]): RecordedEvent[] {
  const merged: RecordedEvent[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && comparePositions(a[i].position, b[j].position) < 0)) merged.push(a[i++]);
    else merged.push(b[j++]);
  }
  return merged;
}

/**
 * The prefix of the log that time travel folds: events up to the first one
 * recorded after the instant. Stopping there (rather than skipping later-stamped
 * events) keeps the answer a state that really existed, even if clocks of
 * different servers disagree a little.
 */
export function recordedUpTo(events: readonly RecordedEvent[], at: Date): RecordedEvent[] {
  const limit = at.getTime();
  const end = events.findIndex((event) => Date.parse(event.metadata.recordedAt) > limit);
  return end < 0 ? [...events] : events.slice(0, end);
}

/**
 * Which model a name refers to: the one holding it at the instant, when given;
 * else the one holding it now, else the last one that held it (a deleted model
 * stays auditable by its name). Undefined when no model ever had the name.
 */
export async function resolveModelId(store: EventStore, name: string, at?: Date): Promise<string | undefined> {
  const catalog = (await store.readStream(REGISTERED_MODELS_STREAM)).map(upcastEvent);
  const events = at ? recordedUpTo(catalog, at) : catalog;
  const holder = new Map<string, string>();
  let lastHolder: string | undefined;
  for (const event of events) {
    if (RegisteredModelCreated.is(event)) holder.set(event.data.name, event.data.modelId);
    else if (RegisteredModelRenamed.is(event)) {
      holder.delete(event.data.fromName);
      holder.set(event.data.name, event.data.modelId);
    } else if (RegisteredModelDeleted.is(event)) holder.delete(event.data.name);
    else continue;
    const data = event.data as { name: string; modelId: string; fromName?: string };
    if (data.name === name || data.fromName === name) lastHolder = data.modelId;
  }
  return holder.get(name) ?? (at ? undefined : lastHolder);
}
