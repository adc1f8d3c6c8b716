import { BACKWARDS, END, FORWARDS, StreamNotFoundError, type EventStoreDBClient, type ResolvedEvent } from '@eventstore/db-client';
import type { RecordedEvent } from '../eventEnvelope.ts';
import { comparePositions, START_POSITION } from '../position.ts';
import { toRecordedEvent } from './esdbEventCodec.ts';
import { fromEsdbPosition, toEsdbPosition } from './esdbPosition.ts';
import { withRetry, type RetryPolicy } from './esdbRetry.ts';

async function collect(read: AsyncIterable<ResolvedEvent>): Promise<ResolvedEvent[]> {
  const events: ResolvedEvent[] = [];
  for await (const event of read) events.push(event);
  return events;
}

/** One stream in revision order; a missing stream (a message, not an error, on the wire) reads as empty. */
export function readStreamEvents(client: EventStoreDBClient, streamId: string, fromRevision: number, maxCount: number, retry: RetryPolicy): Promise<RecordedEvent[]> {
  return withRetry(async () => {
    try {
      const events = await collect(client.readStream(streamId, { fromRevision: BigInt(fromRevision), maxCount: Math.min(maxCount, Number.MAX_SAFE_INTEGER) }));
      return events.map(toRecordedEvent).filter((e): e is RecordedEvent => e !== undefined);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }, retry);
}

/**
 * The log after a position, system events left out. EventStoreDB reads $all
 * from a position inclusively and (in this client) without a server-side
 * filter, so this pages until it has maxCount of mlledger's events or reaches
 * the end, and drops the event at `after` itself.
 */
export async function readAllEvents(client: EventStoreDBClient, after: string, maxCount: number, retry: RetryPolicy): Promise<RecordedEvent[]> {
  const result: RecordedEvent[] = [];
  let from = after;
  const pageSize = Math.min(Math.max(maxCount + 1, 64), 4096);
  while (result.length < maxCount) {
    const page = await withRetry(() => collect(client.readAll({ fromPosition: toEsdbPosition(from), direction: FORWARDS, maxCount: pageSize })), retry);
    let advanced = false;
    for (const resolved of page) {
      const position = resolved.event?.position;
      if (!position) continue;
      const encoded = fromEsdbPosition(position);
      if (from !== START_POSITION && comparePositions(encoded, from) <= 0) continue;
      from = encoded;
      advanced = true;
      const event = toRecordedEvent(resolved);
      if (event && result.length < maxCount) result.push(event);
    }
    if (page.length < pageSize || !advanced) break;
  }
  return result;
}

/** Position of the newest event of mlledger's log (system events skipped), START_POSITION when there is none. */
export async function newestPosition(client: EventStoreDBClient, retry: RetryPolicy): Promise<string> {
  let from: ReturnType<typeof toEsdbPosition> | typeof END = END;
  let pageSize = 32;
  for (;;) {
    const page = await withRetry(() => collect(client.readAll({ fromPosition: from, direction: BACKWARDS, maxCount: pageSize })), retry);
    for (const resolved of page) {
      const event = toRecordedEvent(resolved);
      if (event) return event.position;
    }
    const last = page[page.length - 1]?.event?.position;
    if (page.length < pageSize || !last) return START_POSITION;
    // Reading backwards from a position excludes it; a quiet server can end in a long run of stats events.
    from = last;
    pageSize = Math.min(pageSize * 4, 4096);
  }
}
