import { EventStoreDBClient, WrongExpectedVersionError as EsdbWrongExpectedVersionError } from '@eventstore/db-client';
import type { AppendResult, ExpectedRevision, NewEvent } from '../eventEnvelope.ts';
import type { EventStore, ReadAllOptions, ReadStreamOptions } from '../eventStore.ts';
import { START_POSITION } from '../position.ts';
import { toEventData } from './esdbEventCodec.ts';
import { toAppendExpectedRevision, toPortConflict } from './esdbExpectedRevision.ts';
import { fromEsdbPosition } from './esdbPosition.ts';
import { newestPosition, readAllEvents, readStreamEvents } from './esdbReads.ts';
import { defaultRetryPolicy, withRetry, type RetryPolicy } from './esdbRetry.ts';
import { assertUserStream } from './esdbStreamNames.ts';
import { subscribeEsdb } from './esdbSubscription.ts';

const UNKNOWN_COMMIT = String(2n ** 64n - 1n);

export interface EsdbEventStoreOptions {
  /** For example esdb://localhost:2113?tls=false, or esdb+discover://… for a cluster. */
  connectionString: string;
  retry?: RetryPolicy;
  /** Called when a subscription dropped and is being resumed (logging). */
  onSubscriptionDrop?: (error: unknown) => void;
}

/**
 * The event store on EventStoreDB (or KurrentDB, which serves the same v1 gRPC
 * API). Streams keep their names; no stream gets $maxAge, $maxCount or a
 * truncation: the log, audit streams included, is kept whole. Reads and appends
 * are retried on leader changes and dropped connections; an append retried
 * after its first attempt actually landed is recognised by its event ids and
 * writes nothing (EventStoreDB's idempotent write).
 */
export async function createEsdbEventStore(options: EsdbEventStoreOptions): Promise<EventStore> {
  let client: EventStoreDBClient;
  try {
    client = EventStoreDBClient.connectionString(options.connectionString);
  } catch (error) {
    throw new Error(`Invalid EventStoreDB connection string '${options.connectionString}': ${(error as Error).message}`);
  }
  const retry = options.retry ?? defaultRetryPolicy;
  const headPosition = () => newestPosition(client, retry);
  try {
    // Fail at start, not at the first request, when the server cannot be reached.
    await newestPosition(client, { ...retry, attempts: 1 });
  } catch (error) {
    await client.dispose().catch(() => {});
    throw new Error(`EventStoreDB at ${options.connectionString} is not reachable: ${(error as Error).message}`);
  }

  return {
    async appendToStream(streamId: string, events: NewEvent[], { expectedRevision = 'any' as ExpectedRevision } = {}): Promise<AppendResult> {
      if (events.length === 0) throw new Error('appendToStream needs at least one event');
      if (new Set(events.map((e) => e.metadata.eventId)).size !== events.length) throw new Error('appendToStream: duplicate event ids in one append');
      assertUserStream(streamId, events.map((e) => e.type));
      const revision = toAppendExpectedRevision(expectedRevision);
      const data = events.map(toEventData);
      try {
        const result = await withRetry(() => client.appendToStream(streamId, data, { expectedRevision: revision }), retry);
        const nextExpectedRevision = Number(result.nextExpectedRevision);
        // The server reports where the write's last event sits in $all; older servers omit it for an idempotent write.
        const position = result.position ? fromEsdbPosition(result.position) : await positionOfRevision(streamId, nextExpectedRevision);
        return { nextExpectedRevision, position };
      } catch (error) {
        if (error instanceof EsdbWrongExpectedVersionError) throw toPortConflict(streamId, expectedRevision, error);
        throw error;
      }
    },

    readStream(streamId: string, { fromRevision = 0, maxCount = Number.MAX_SAFE_INTEGER }: ReadStreamOptions = {}) {
      return readStreamEvents(client, streamId, fromRevision, maxCount, retry);
    },

    readAll({ after = START_POSITION, maxCount = 1000 }: ReadAllOptions = {}) {
      return readAllEvents(client, after, maxCount, retry);
    },

    subscribeToAll(handler, subscribeOptions = {}) {
      return subscribeEsdb(handler, { ...subscribeOptions, client, headPosition, retry, onDrop: options.onSubscriptionDrop });
    },

    headPosition,

    async close() {
      await client.dispose();
    },
  };

  async function positionOfRevision(streamId: string, revision: number): Promise<string> {
    const [event] = await readStreamEvents(client, streamId, revision, 1, retry);
    // Some servers leave stream reads without a $all position (all ones); the head is then the safe answer.
    return event && !event.position.startsWith(UNKNOWN_COMMIT) ? event.position : headPosition();
  }
}
