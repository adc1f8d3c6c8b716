import type { EventData, JSONType, ResolvedEvent } from '@eventstore/db-client';
import type { EventMetadata, NewEvent, RecordedEvent } from '../eventEnvelope.ts';
import { fromEsdbPosition } from './esdbPosition.ts';
import { isSystemName } from './esdbStreamNames.ts';

/** The event's schema version travels in the custom metadata; data stays the event's own JSON. */
const VERSION_KEY = 'eventVersion';
// EventStoreDB's own conventions, so its system projections ($by_correlation_id) understand our events.
const CORRELATION_KEY = '$correlationId';
const CAUSATION_KEY = '$causationId';

/** The port's event as EventStoreDB event data: its id is the envelope's eventId, so a retried append is recognised. */
export function toEventData(event: NewEvent): EventData {
  const metadata: Record<string, unknown> = { ...event.metadata, [VERSION_KEY]: event.version, [CORRELATION_KEY]: event.metadata.correlationId };
  if (event.metadata.causationId !== undefined) metadata[CAUSATION_KEY] = event.metadata.causationId;
  return {
    id: event.metadata.eventId,
    contentType: 'application/json',
    type: event.type,
    // Any JSON value is written with JSON.stringify; the client's type only names the common shapes.
    data: event.data as JSONType,
    metadata,
  };
}

/**
 * The recorded event as the port sees it, or undefined for what is not part of
 * mlledger's log: system streams and types, unresolved links, non-JSON events.
 */
export function toRecordedEvent(resolved: ResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event || !event.isJson || isSystemName(event.type) || isSystemName(event.streamId)) return undefined;
  const stored = event.metadata && typeof event.metadata === 'object' && !(event.metadata instanceof Uint8Array) && !Array.isArray(event.metadata)
    ? (event.metadata as Record<string, unknown>)
    : {};
  const { [VERSION_KEY]: version, [CORRELATION_KEY]: _correlation, [CAUSATION_KEY]: _causation, ...metadata } = stored;
  return {
    streamId: event.streamId,
    revision: Number(event.revision),
    position: event.position ? fromEsdbPosition(event.position) : '',
    type: event.type,
    version: typeof version === 'number' ? version : 1,
    data: event.data,
    metadata: { ...metadata, eventId: typeof metadata.eventId === 'string' ? metadata.eventId : event.id } as unknown as EventMetadata,
  };
}
