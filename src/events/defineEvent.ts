import type { z } from 'zod';
import type { EventMetadata, NewEvent, RecordedEvent } from './eventEnvelope.ts';

/**
 * An event type is a contract: a name, a schema version and a zod schema.
 * Old versions are never changed; a new version comes with an upcaster.
 */
export interface EventDefinition<T extends string = string, S extends z.ZodType = z.ZodType> {
  type: T;
  version: number;
  schema: S;
  create(data: z.infer<S>, metadata: EventMetadata): NewEvent<T, z.infer<S>>;
  /** Narrowing test for a decoded (already upcast) event. */
  is(event: RecordedEvent): event is RecordedEvent<T, z.infer<S>>;
}

export function defineEvent<T extends string, S extends z.ZodType>(type: T, version: number, schema: S): EventDefinition<T, S> {
  return {
    type,
    version,
    schema,
    create(data, metadata) {
      // Validated on the way in: what is stored always matches its schema version.
      return { type, version, data: schema.parse(data) as z.infer<S>, metadata };
    },
    is(event): event is RecordedEvent<T, z.infer<S>> {
      return event.type === type;
    },
  };
}

/** Upgrades one stored version of an event type to the next. */
export interface Upcaster {
  type: string;
  fromVersion: number;
  upcast(data: unknown): unknown;
}
