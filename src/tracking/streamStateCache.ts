import type { RecordedEvent } from '../events/eventEnvelope.ts';
import type { EventStore } from '../events/eventStore.ts';
import { upcastEvent } from '../events/eventCatalog.ts';

/** How a stream's events fold into the state its commands decide on. evolve may mutate and must return the state. */
export interface StreamFold<S> {
  initial(): S;
  evolve(state: S, event: RecordedEvent): S;
}

export interface LoadedState<S> {
  state: S;
  /** Revision of the last event folded in; -1 when the stream does not exist. */
  revision: number;
}

/**
 * Keeps folded stream states in memory and tops them up with only the events
 * appended since (by this or any other process), so deciding a command costs one
 * small read instead of a replay. Bounded: least recently used streams are dropped.
 */
export class StreamStateCache<S> {
  private entries = new Map<string, LoadedState<S>>();

  constructor(
    private readonly store: EventStore,
    private readonly fold: StreamFold<S>,
    private readonly maxEntries = 10_000,
  ) {}

  /**
   * The state as this process last knew it, read only when not cached. It may be stale
   * if another process appended since: an append with its revision then fails and the
   * caller loads again (see CommandHandler).
   */
  async loadCached(streamId: string): Promise<LoadedState<S> & { fresh: boolean }> {
    const cached = this.entries.get(streamId);
    if (cached) return { ...cached, fresh: false };
    return { ...(await this.load(streamId)), fresh: true };
  }

  /** The state with every event stored so far folded in. */
  async load(streamId: string): Promise<LoadedState<S>> {
    const cached = this.entries.get(streamId);
    const entry = cached ?? { state: this.fold.initial(), revision: -1 };
    const newer = await this.store.readStream(streamId, { fromRevision: entry.revision + 1 });
    for (const event of newer) entry.state = this.fold.evolve(entry.state, upcastEvent(event));
    if (newer.length > 0) entry.revision = newer[newer.length - 1].revision;
    this.remember(streamId, entry);
    return entry;
  }

  /** Folds events this process just appended, so the next load reads nothing. */
  applyAppended(streamId: string, entry: LoadedState<S>, events: RecordedEvent[]): void {
    for (const event of events) entry.state = this.fold.evolve(entry.state, event);
    if (events.length > 0) entry.revision = events[events.length - 1].revision;
    this.remember(streamId, entry);
  }

  forget(streamId: string): void {
    this.entries.delete(streamId);
  }

  private remember(streamId: string, entry: LoadedState<S>): void {
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}
