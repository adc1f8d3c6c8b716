import type { NewEvent, RecordedEvent } from '../events/eventEnvelope.ts';
import { WrongExpectedVersionError, type EventStore } from '../events/eventStore.ts';
import { DomainError } from './domainError.ts';
import { KeyedMutex } from './keyedMutex.ts';
import type { StreamStateCache } from './streamStateCache.ts';

export interface CommandResult {
  /** Global position of the last event appended (or of the stream head when nothing was). */
  position?: string;
  events: RecordedEvent[];
}

const MAX_ATTEMPTS = 8;

/**
 * Decide on the cached state, append with its exact revision; when another writer
 * got there first (or the cached state made the decision refuse), reload and decide
 * again. The exact revision makes a stale cache safe: it can only cost a retry.
 * A decision that throws appends nothing.
 */
export class CommandHandler {
  private readonly mutex = new KeyedMutex();

  constructor(private readonly store: EventStore) {}

  handle<S>(cache: StreamStateCache<S>, streamId: string, decide: (state: S) => NewEvent[]): Promise<CommandResult> {
    return this.mutex.run(streamId, async () => {
      for (let attempt = 1; ; attempt++) {
        const cached = attempt === 1 ? await cache.loadCached(streamId) : undefined;
        const entry = cached ?? (await cache.load(streamId));
        let events: NewEvent[];
        try {
          events = decide(entry.state);
        } catch (error) {
          // Refusals must rest on what is stored, not on what this process last saw.
          if (cached && !cached.fresh) continue;
          throw error;
        }
        if (events.length === 0) {
          if (cached && !cached.fresh) continue; // "nothing to do" may be stale too
          return { events: [] };
        }
        try {
          const result = await this.store.appendToStream(streamId, events, {
            expectedRevision: entry.revision < 0 ? 'no_stream' : entry.revision,
          });
          const firstRevision = result.nextExpectedRevision - events.length + 1;
          const recorded = events.map((e, i) => ({ ...e, streamId, revision: firstRevision + i, position: result.position }));
          if (firstRevision === entry.revision + 1) cache.applyAppended(streamId, cached ?? entry, recorded);
          else cache.forget(streamId); // an idempotent retry: the stored events are the truth
          return { position: result.position, events: recorded };
        } catch (error) {
          if (!(error instanceof WrongExpectedVersionError)) throw error;
          if (attempt >= MAX_ATTEMPTS) {
            throw new DomainError('RESOURCE_CONFLICT', `Too many concurrent writes to '${streamId}'; try again.`);
          }
          // A random pause, longer each time: two servers writing one run in step lost to each other
          // eight times running without it (at most ~0.13 s in all).
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** attempt));
        }
      }
    });
  }
}
